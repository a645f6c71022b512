"""How the explanations write a number: six significant digits, one minus sign.

>>> plain_number(-0.5), format_number(-0.5), format_number(-0.5, minus="-")
('-0.5', '−0.5', '-0.5')
>>> format_number(-1.5e-07), format_number(-0.0)
('−1.5e−07', '0')
"""

from __future__ import annotations


def plain_number(x: float) -> str:
    """``x`` to 6 significant digits, as Python writes it (``-0.5``, ``1e-07``)."""
    return f"{x:.6g}"


def format_number(x: float, minus: str = "−") -> str:
    """``x`` to 6 significant digits with ``minus`` for every minus sign, the
    exponent's too (a typeset − by default, ``-`` for ASCII), and never ``−0``."""
    text = plain_number(x)
    return "0" if text == "-0" else text.replace("-", minus)
