"""How the explanations write a number: six significant digits.

>>> plain_number(-0.5), format_number(-0.5), format_number(-0.5, minus="-")
('-0.5', '−0.5', '-0.5')
"""

from __future__ import annotations


def plain_number(x: float) -> str:
    """``x`` to 6 significant digits, as Python writes it (``-0.5``, ``1e-07``)."""
    return f"{x:.6g}"


def format_number(x: float, minus: str = "−") -> str:
    """``x`` to 6 significant digits with ``minus`` as its sign (a typeset − by
    default; an exponent keeps its ASCII ``-``)."""
    text = plain_number(x)
    return minus + text[1:] if text.startswith("-") else text
