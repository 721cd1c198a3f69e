"""The 10,000-item inbox every bench builds, so their figures describe the same data."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from triage_tui.domain.model import Item, Suggestion, new_item_id, now_iso
from triage_tui.store.db import Store

VERBS = ["send", "renew", "call", "book", "update", "choose", "plan", "draft", "file", "pay"]
THINGS = ["invoice", "domain", "CRM", "vendor contract", "SOP", "travel", "KPI report", "payroll"]
WHOM = ["Acme", "Bob", "the bank", "Globex", "Initech", "the landlord", "Umbrella", "Hooli"]
LANES = ["unsorted", "unsorted", "task", "ops", "keep"]


def build_database(path: Path, count: int, claimed_share: float = 0.0) -> None:
    """`count` open items with suggestions, due dates, estimates, tags, some recurrences and,
    when `claimed_share` > 0, that share claimed by maya."""
    rng = random.Random(7)
    now = datetime.now().astimezone()
    stamp = now_iso(now)
    items = []
    for index in range(count):
        due = (now.date() + timedelta(days=rng.randint(-5, 30))).isoformat()
        claimed = rng.random() < claimed_share
        items.append(Item(
            id=new_item_id(),
            title=f"{rng.choice(VERBS)} {rng.choice(THINGS)} for {rng.choice(WHOM)} {index}",
            lane=rng.choice(LANES),
            suggestion=Suggestion(rng.choice(("task", "ops")), rng.uniform(0.5, 0.99),
                                  ["sends something → task"]),
            due=due if rng.random() < 0.7 else None,
            estimate_minutes=rng.choice([None, 15, 30, 60, 90]),
            recurrence="FREQ=WEEKLY" if rng.random() < 0.02 else None,
            tags=[rng.choice(["admin", "billing", "ops", "sales"])],
            assignee=rng.choice([None, None, "maya", "sam"]),
            claimed_by="maya" if claimed else None, claimed_at=stamp if claimed else None,
            created_at=stamp, updated_at=stamp, created_by="ines", updated_by="ines",
        ))
    store = Store(path).open()
    with store.transaction("ines") as tx:
        tx.insert(tx.fresh_ids(items))  # 10,000 random 8-hex ids: ~1 % chance of a repeat
