"""SBBMP's broker: match the highest buyers with the lowest sellers per product, vectorised.

Seed 003 (Kang & Han, section 3.2 and Table 2): at the reference time the broker sorts
sellers by wished price ascending and buyers descending, per product, and pairs them down the
lists while the buyer's price is at least the seller's. Used by
:mod:`negotiator.markets.sync_market` and benchmarked on its own by ``bench/sync_matching.py``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negotiator.errors import FieldError, InvalidInputError

__all__ = ["synchronous_match"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def synchronous_match(
    buy_product: IntArray, buy_price: FloatArray, sell_product: IntArray, sell_price: FloatArray
) -> tuple[IntArray, IntArray]:
    """Match highest buyers with lowest sellers per product (SBBMP's broker), fully vectorised.

    Buyers are sorted by price descending and sellers ascending within each product (ties to
    the lower index); the i-th buyer meets the i-th seller while ``buy >= sell``. Because the
    gap shrinks down the lists, the matched pairs are a prefix of each product's lists. Product
    ids must be non-negative integers.

    Returns:
        Indices into the buyer arrays and into the seller arrays, pair by pair, grouped by
        product and ordered best spread first.

    Raises:
        InvalidInputError: a negative product id, a NaN or infinite price, or mismatched
            array lengths.

    Example:
        >>> b, s = synchronous_match(np.zeros(4, np.int64), np.array([147., 185, 153, 162]),
        ...                          np.zeros(4, np.int64), np.array([157., 176, 150, 183]))
        >>> b.tolist(), s.tolist()
        ([1, 3], [2, 0])
    """
    nb, ns = buy_price.shape[0], sell_price.shape[0]
    if nb == 0 or ns == 0:
        empty = np.empty(0, np.int64)
        return empty, empty
    _check_side("buy", buy_product, buy_price)
    _check_side("sell", sell_product, sell_price)
    groups = int(max(buy_product.max(), sell_product.max())) + 1
    border = _sort_within(buy_product, -buy_price, groups)
    sorder = _sort_within(sell_product, sell_price, groups)
    bcount = np.bincount(buy_product, minlength=groups)
    scount = np.bincount(sell_product, minlength=groups)
    bstart = np.cumsum(bcount) - bcount
    sstart = np.cumsum(scount) - scount
    sorted_groups = buy_product[border]
    rank = np.arange(nb) - bstart[sorted_groups]
    paired = np.flatnonzero(rank < scount[sorted_groups])
    b = border[paired]
    s = sorder[sstart[sorted_groups[paired]] + rank[paired]]
    keep = buy_price[b] >= sell_price[s]
    return b[keep].astype(np.int64), s[keep].astype(np.int64)


def _check_side(name: str, product: IntArray, price: FloatArray) -> None:
    errors = []
    if product.shape != price.shape:
        errors.append(FieldError(f"$.{name}_product", "must have one entry per price"))
    elif product.min() < 0:
        errors.append(FieldError(f"$.{name}_product", f"{product.min()} is below 0"))
    if not np.all(np.isfinite(price)):
        errors.append(FieldError(f"$.{name}_price", "holds NaN or infinite prices"))
    if errors:
        raise InvalidInputError("synchronous match", errors)


def _sort_within(groups: IntArray, key: FloatArray, n_groups: int) -> IntArray:
    """Indices sorted by group, then key ascending, then index.

    The key sort uses quicksort (several times faster than a stable sort on floats) and falls
    back to a stable sort only when the key has ties, so ties always go to the lower index.
    """
    order = np.argsort(key)
    ordered = key[order]
    if np.any(ordered[1:] == ordered[:-1]):
        order = np.argsort(key, kind="stable")
    small = groups[order].astype(np.int16) if n_groups < 2**15 else groups[order]
    return np.asarray(order[np.argsort(small, kind="stable")], dtype=np.int64)
