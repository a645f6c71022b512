"""memograd's neural-network layer, built on ``autograd.Value``."""
