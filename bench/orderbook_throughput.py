"""Order book throughput: order submissions per second in one process.

Usage: ``python bench/orderbook_throughput.py [--json] [--orders N] [--seed S]``

A stream of random one-unit limit orders (half buys, half sells, prices uniform around a mid of
100 with a spread wide enough that roughly half the orders trade and half rest) is generated
first; only ``OrderBook.submit`` calls are timed. Every tenth order also cancels a resting one.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from negotiator.markets.orderbook import OrderBook, Side


def measure(orders: int, seed: int) -> dict[str, float]:
    """Submit ``orders`` random orders; return orders/s, fills and the final book size."""
    rng = np.random.default_rng(seed)
    sides: list[Side] = ["buy" if b else "sell" for b in rng.random(orders) < 0.5]
    prices = np.round(rng.normal(100.0, 5.0, orders), 2).clip(0.0).tolist()
    traders = [f"t{i % 1000}" for i in range(orders)]
    book = OrderBook()
    fills = cancels = 0
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(orders):
        result = book.submit(traders[i], sides[i], prices[i])
        fills += len(result.fills)
        if i % 10 == 9 and result.resting:
            cancels += book.cancel(result.order_id - 5)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "orders": orders,
        "seconds": round(wall, 4),
        "orders_per_second": round(orders / wall),
        "orders_per_cpu_second": round(orders / cpu),
        "fills": fills,
        "cancels": cancels,
        "resting_at_end": len(book),
    }


def main() -> None:
    """Print the measured throughput (target: >= 100,000 submissions per second)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = measure(args.orders, args.seed)
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"{out['orders']} submissions in {out['seconds']} s: {out['orders_per_second']:,} orders/s "
        f"wall, {out['orders_per_cpu_second']:,} per CPU second ({out['fills']} fills, "
        f"{out['cancels']} cancels, {out['resting_at_end']} resting)"
    )


if __name__ == "__main__":
    main()
