"""`History`: what ``nn.fit`` measured, epoch by epoch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd.files import check_writable, write_atomically
from autograd.i18n import _, use_language


@dataclass
class History:
    """Per-epoch training loss and accuracy, validation loss and accuracy, and the
    learning rate used. Accuracy lists are empty when accuracy is not measured,
    validation lists when there is no validation data."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def as_dict(self) -> dict[str, list[float]]:
        return {"train_loss": list(self.train_loss), "train_accuracy": list(self.train_accuracy),
                "val_loss": list(self.val_loss), "val_accuracy": list(self.val_accuracy),
                "lr": list(self.lr)}

    def plot(self, path: str | Path | None = None, *, lang: str | None = None) -> Any:
        """A matplotlib Figure of loss (and accuracy) per epoch; saved to ``path`` when
        given, format from the extension (PNG without one), as
        ``autograd.files.write_atomically`` writes files. Its titles, axis labels and
        legend are in memograd's language (``lang``, else the one in force: see
        ``autograd.i18n``). Needs matplotlib."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError('History.plot needs matplotlib: pip install "memograd[notebooks]"'
                              ) from e
        if path is not None:
            check_writable(path)  # a bad path fails before the figure is drawn
        panels = 2 if self.train_accuracy or self.val_accuracy else 1
        fig = plt.figure(figsize=(5 * panels, 3.5), layout="constrained")
        # Made through pyplot so Jupyter knows how to show it, then released from pyplot
        # so it is shown once, as the returned value (savefig still works).
        plt.close(fig)
        axes = fig.subplots(1, panels, squeeze=False)[0]
        epochs = range(1, self.epochs + 1)
        with use_language(lang):
            # Translators: History.plot: the title of the losses' panel
            loss_title = _("loss")
            # Translators: History.plot: the title of the accuracies' panel
            accuracy_title = _("accuracy")
            # Translators: History.plot's legend: the curve measured on the training data
            train_label = _("train")
            # Translators: History.plot's legend: the curve measured on the validation data
            val_label = _("validation")
            # Translators: History.plot's x-axis label
            epoch_label = _("epoch")
        for ax, (title, train, val) in zip(axes, [
                (loss_title, self.train_loss, self.val_loss),
                (accuracy_title, self.train_accuracy, self.val_accuracy)]):
            if train:
                ax.plot(epochs, train, label=train_label)
            if val:
                ax.plot(epochs, val, label=val_label)
            ax.set_xlabel(epoch_label)
            ax.set_title(title)
            ax.legend()
        if path is not None:
            fmt = Path(path).suffix[1:] or "png"
            write_atomically(path, lambda f: fig.savefig(f, format=fmt))
        return fig
