"""Issue 11, item 4: what the audit log keeps (PETAKAMPUNG_AUDIT_ROWS) and ``audit prune``; the
store's files are created readable by their owner only."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from geo.accounts import set_password
from geo.audit import keys_only
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, location_of, run

WORK = "CSR-2026-01"


def _rename_work(store, name: str) -> None:
    from geo.layers.infrastructure import WORKS

    works = store.read("works", work_id=WORK)
    works["name"] = name
    with store.transaction(actor="uji") as writer:
        writer.upsert(WORKS, works)


def _last(store, table: str, action: str) -> dict:
    audit = store.read("pk_audit", table_name=table, action=action)
    return audit.iloc[-1].to_dict()


def test_by_default_the_audit_keeps_keys_and_the_names_of_changed_fields(demo_store) -> None:
    store = open_store(location_of(demo_store))
    _rename_work(store, "Jalan paving RT 03 (nama baru)")
    entry = _last(store, "works", "update")
    assert entry["actor"] == "uji"
    assert json.loads(entry["row_key"]) == [WORK]
    assert entry["before_json"] is None
    assert json.loads(entry["after_json"]) == {"changed": ["name"]}
    assert "nama baru" not in store.read("pk_audit")["after_json"].fillna("").str.cat()


def test_rows_keeps_whole_rows_but_never_household_rows(demo_store) -> None:
    store = open_store(location_of(demo_store), audit_rows="rows")
    _rename_work(store, "Jalan paving RT 03 (nama baru)")
    entry = _last(store, "works", "update")
    assert json.loads(entry["after_json"])["name"] == "Jalan paving RT 03 (nama baru)"
    assert json.loads(entry["before_json"])["name"] != "Jalan paving RT 03 (nama baru)"
    from geo.layers.households import HOUSEHOLDS

    assert HOUSEHOLDS.audit == "keys"  # personal data: keys whatever the setting
    homes = store.read("households", kelurahan_code=KALIAWI).head(1)
    homes["decile"] = 1 if homes.iloc[0]["decile"] != 1 else 2
    with store.transaction(actor="uji") as writer:
        writer.upsert(HOUSEHOLDS, homes)
    entry = _last(store, "households", "update")
    assert entry["before_json"] is None
    assert json.loads(entry["after_json"]) == {"changed": ["decile"]}


def test_passwords_stay_out_of_the_audit_in_either_mode(users_settings: Settings) -> None:
    for mode in ("keys", "rows"):
        store = open_store(users_settings.store, audit_rows=mode)
        set_password(store, "lkm.a", f"kata-sandi-{mode}-12345")
        entry = _last(store, "pk_users", "update")
        assert "argon2" not in (entry["before_json"] or "") + entry["after_json"]
        if mode == "rows":
            assert json.loads(entry["after_json"])["password_hash"] == "<redacted>"


def test_audit_prune_strips_old_copies_of_rows_and_keeps_who_did_what(demo_store, capsys) -> None:
    store = open_store(location_of(demo_store), audit_rows="rows")
    _rename_work(store, "Nama lama sekali")
    _rename_work(store, "Nama baru")
    audit = store.read("pk_audit")
    copies = audit[audit["after_json"].fillna("").str.contains('"name"')]
    assert len(copies) == 2  # the two renames copied whole rows (the demo was loaded with the default, keys)
    code, out, _ = run(
        ["--store", str(location_of(demo_store)), "--lang", "en", "audit", "prune", "--before", "2999-01-01"], capsys
    )
    assert code == 0
    assert "now keep only keys" in out
    after = store.read("pk_audit")
    assert len(after) == len(audit)  # every entry stays: who, when, which row
    assert list(after["actor"]) == list(audit["actor"])
    assert not after["after_json"].fillna("").str.contains("Nama lama sekali").any()
    assert after["before_json"].isna().all()
    renamed = after[(after["table_name"] == "works") & (after["action"] == "update")]
    assert json.loads(renamed.iloc[-1]["after_json"]) == {"changed": ["name"]}
    code, out, _ = run(["--store", str(location_of(demo_store)), "audit", "prune", "--before", "2999-01-01"], capsys)
    assert "0 catatan" in out  # nothing left to strip
    code, _, err = run(["--store", str(location_of(demo_store)), "audit", "prune", "--before", "kemarin"], capsys)
    assert code == 1
    assert "TTTT-BB-HH" in err


def test_keys_only_of_an_insert_keeps_the_key_and_kelurahan() -> None:
    from geo.layers.infrastructure import WORKS

    entry = {
        "action": "insert",
        "before_json": None,
        "after_json": json.dumps({"work_id": "W1", "name": "x", "kelurahan_code": KALIAWI}),
    }
    assert keys_only(entry, WORKS) == (
        None,
        json.dumps({"work_id": "W1", "kelurahan_code": KALIAWI}, separators=(",", ":")),
    )
    assert keys_only({"action": "delete", "before_json": '{"a": 1}', "after_json": None}, WORKS) == (None, None)


def test_store_key_and_secret_are_created_owner_only(tmp_path: Path, capsys) -> None:
    store = tmp_path / "baru" / "kota.gpkg"
    code, _, _ = run(["--store", str(store), "demo"], capsys)
    assert code == 0
    settings = Settings(store=store)
    settings.session_secret()
    for path in (store, store.with_suffix(".key"), store.with_suffix(".secret"), Path(f"{store}-wal")):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert store.with_suffix(".key").exists()
    assert not list(store.parent.glob(".kota.*"))  # no temporary file left behind


@pytest.mark.parametrize("bad", ["petakampung", "/a//b", "/peta kampung", "/peta?x"])
def test_root_path_must_be_a_plain_sub_path(bad: str) -> None:
    with pytest.raises(ValueError, match="root_path"):
        Settings(root_path=bad)
    assert Settings(root_path="/petakampung/").root_path == "/petakampung"
