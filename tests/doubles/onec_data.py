"""Rows of the 1C OData double: the base data in tests/doubles/onec/ and the tables the
queries scan (generated volume: onec_generate.py).

A table keeps its rows sorted by 1C's ref order (onec.md §1.3: the bytes d+e+c+b+a of
a-b-c-d-e), so keyset paging is a bisect. A row is a dict, or an int that the table's
generator turns into one. Standard library only.
"""

import base64
import bisect
import datetime
import json
import os
import re
import struct

from onec_schema import USERS, Entity, entities

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onec")
EPOCH = datetime.datetime(1970, 1, 1)
GREGORIAN = 12219292800  # seconds from the UUID v1 epoch (1582-10-15) to 1970-01-01
GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")

# The base data: fixture files (a JSON envelope each) and a file of extra rows per profile.
FIXTURES = {"trade": [("users.json", USERS), ("clients-page1.json", "Catalog_Контрагенты"),
                      ("clients-page2.json", "Catalog_Контрагенты"),
                      ("calls.json", "Document_ТелефонныйЗвонок"),
                      ("orders.json", "Document_ЗаказКлиента")],
            "accounting": []}


class DataError(Exception):
    """A row that does not fit its entity set (names the set, ref and field)."""


def sort_key(guid):
    """1C's order of refs: compare d+e+c+b+a of a-b-c-d-e as bytes."""
    return int(guid[19:23] + guid[24:36] + guid[14:18] + guid[9:13] + guid[0:8], 16)


def data_version(n):
    """An 8-byte DataVersion token as 1C shows it ("AAAAEQAAAAA=" is version 17)."""
    return base64.b64encode(struct.pack(">II", n, 0)).decode()


VERSION_FALLBACK = [1000]  # for a DataVersion that is not 8 bytes of base64


def bump_version(token):
    try:
        raw = base64.b64decode(token, validate=True)
        if len(raw) == 8:
            n = struct.unpack(">I", raw[:4])[0]
            return base64.b64encode(struct.pack(">I", (n + 1) & 0xFFFFFFFF) + raw[4:]).decode()
    except ValueError:
        pass
    VERSION_FALLBACK[0] += 1
    return data_version(VERSION_FALLBACK[0])


def fmt_date(seconds):
    return (EPOCH + datetime.timedelta(seconds=seconds)).isoformat()


class Table:
    """The rows of one entity set in 1C ref order. A row is a dict, or an int that `gen` turns
    into one. `cache` holds serialized rows per $select (the query layer fills it)."""

    def __init__(self, entity):
        self.entity = entity
        self.keys, self.rows = [], []
        self.gen = None  # int -> complete row
        self.lazy = None  # int -> a row that computes fields when first read (scans only)
        self.pristine = ([], [])
        self.cache = {}

    def __len__(self):
        return len(self.keys)

    def freeze(self):
        self.pristine = (list(self.keys), list(self.rows))

    def reset(self):
        self.keys, self.rows = list(self.pristine[0]), list(self.pristine[1])
        self.cache.clear()

    def row(self, pos):
        r = self.rows[pos]
        return r if r.__class__ is dict else self.gen(r)

    def find(self, ref):
        k = sort_key(ref)
        pos = bisect.bisect_left(self.keys, k)
        return pos if pos < len(self.keys) and self.keys[pos] == k else -1

    def get(self, ref):
        pos = self.find(ref)
        return self.row(pos) if pos >= 0 else None

    def put(self, row):
        k = sort_key(row["Ref_Key"])
        pos = bisect.bisect_left(self.keys, k)
        if pos < len(self.keys) and self.keys[pos] == k:
            self.rows[pos] = row
        else:
            self.keys.insert(pos, k)
            self.rows.insert(pos, row)
        self.invalidate(k)

    def remove(self, ref):
        pos = self.find(ref)
        if pos < 0:
            return False
        del self.keys[pos], self.rows[pos]
        self.invalidate(sort_key(ref))
        return True

    def invalidate(self, k):
        for rows in self.cache.values():
            rows.pop(k, None)

    def scan(self, lo=None, lo_incl=False, hi=None, hi_incl=False, reverse=False, lazy=False):
        """(cache key, row) in ref order between the bounds (sort keys). lazy: generated rows
        compute only the fields read (cheaper when a query reads a few)."""
        keys = self.keys
        start = 0 if lo is None else (bisect.bisect_left if lo_incl else bisect.bisect_right)(
            keys, lo)
        end = len(keys) if hi is None else (bisect.bisect_right if hi_incl else
                                            bisect.bisect_left)(keys, hi)
        positions = range(end - 1, start - 1, -1) if reverse else range(start, end)
        rows, gen = self.rows, (lazy and self.lazy) or self.gen
        for pos in positions:
            r = rows[pos]
            yield keys[pos], (r if r.__class__ is dict else gen(r))


class SectionView:
    """A tabular section published as its own set (<Set>_<Section>): the owners' rows, flattened."""

    cache = None  # rows are not cached

    def __init__(self, entity, owner):
        self.entity, self.owner, self.section = entity, owner, entity.owner[1].name

    def __len__(self):
        return sum(1 for _ in self.scan())

    def scan(self, lo=None, lo_incl=False, hi=None, hi_incl=False, reverse=False, lazy=False):
        for _, row in self.owner.scan(lo, lo_incl, hi, hi_incl, reverse):
            lines = row[self.section]
            for line in (reversed(lines) if reverse else lines):
                yield None, line

    def get(self, ref, line_number):
        owner = self.owner.get(ref)
        for line in owner[self.section] if owner else ():
            if line["LineNumber"] == str(line_number):
                return line
        return None


def resolve_date(value, now):
    """"@-3 10:15:00" in a data file means three days before today at 10:15:00."""
    m = re.match(r"^@(-?\d+) (\d{2}):(\d{2}):(\d{2})$", value)
    if not m:
        return value
    day = now.date() + datetime.timedelta(days=int(m.group(1)))
    return datetime.datetime(day.year, day.month, day.day,
                             *map(int, m.group(2, 3, 4))).isoformat()


def normalize(entity, row, now, where):
    """A complete row of `entity` from a partial one: defaults filled, values checked."""
    if not isinstance(row, dict):
        raise DataError("%s: %s: a row must be a JSON object" % (where, entity.name))
    ref = row.get("Ref_Key", "?")
    for name in row:
        if name not in entity.by_name:
            raise DataError("%s: %s(%s): no field %r" % (where, entity.name, ref, name))
    out = dict(entity.template)
    out.update(row)
    for p in entity.props:
        v = out[p.name]
        bad = None
        if p.is_guid:
            v = v.lower() if isinstance(v, str) else v
            bad = not (isinstance(v, str) and GUID_RE.match(v))
        elif p.kind in ("bool",):
            bad = not isinstance(v, bool)
        elif p.kind == "date":
            v = resolve_date(v, now) if isinstance(v, str) else v
            bad = not (isinstance(v, str) and DATE_RE.match(v))
        elif p.kind == "num":
            bad = isinstance(v, bool) or not isinstance(v, (int, float))
            if not bad and isinstance(v, float) and v.is_integer():
                v = int(v)  # 1C writes 28990, not 28990.0
        elif p.kind == "int64":
            v = str(v)
        elif p.kind == "tab":
            bad = not isinstance(v, (list, tuple))
            if not bad:
                v = [normalize_line(p, out["Ref_Key"], i, line, now, where)
                     for i, line in enumerate(v)]
        elif p.kind == "str" and p.length and isinstance(v, str):
            v = v[:p.length].ljust(p.length)  # fixed-length strings are space-padded
        else:
            bad = not isinstance(v, str)
        if bad:
            raise DataError("%s: %s(%s): bad value for %s: %r" % (where, entity.name, ref,
                                                                  p.name, v))
        out[p.name] = v
    return out


SECTION_TYPES = {}


def normalize_line(section, owner_ref, index, line, now, where):
    if isinstance(line, dict):
        line = dict(line)
        line.setdefault("Ref_Key", owner_ref)
        line.setdefault("LineNumber", str(index + 1))
    rows = SECTION_TYPES.get(id(section))
    if rows is None:
        rows = SECTION_TYPES[id(section)] = Entity(section.name, "Tabular", section.columns)
    return normalize(rows, line, now, where)


class Store:
    """Every table of a profile, with its base data and generated volume."""

    def __init__(self, profile, now):
        self.profile, self.now = profile, now
        self.entities = {e.name: e for e in entities(profile)}
        self.tables = {}
        for e in self.entities.values():
            self.tables[e.name] = (SectionView(e, self.tables[e.owner[0].name])
                                   if e.kind == "Tabular" else Table(e))
        self.load_base()

    def freeze(self):
        """What "reset" goes back to: the data as they are now (base plus generated)."""
        for t in self.tables.values():
            if isinstance(t, Table):
                t.freeze()

    def reset(self):
        for t in self.tables.values():
            if isinstance(t, Table):
                t.reset()

    def lookup(self, set_name, ref):
        t = self.tables.get(set_name)
        return t.get(ref) if isinstance(t, Table) else None

    def normalize(self, set_name, row, where):
        return normalize(self.entities[set_name], row, self.now, where)

    def load_base(self):
        extra_path = os.path.join(DATA_DIR, self.profile + ".json")
        with open(extra_path, encoding="utf-8") as f:
            extra = json.load(f)
        supplement = extra.get("supplement", {})
        batches = []
        for file, set_name in FIXTURES[self.profile]:
            with open(os.path.join(DATA_DIR, file), encoding="utf-8-sig") as f:
                batches.append((file, set_name, json.load(f)["value"]))
        for set_name, rows in extra.get("rows", {}).items():
            batches.append((self.profile + ".json", set_name, rows))
        for file, set_name, rows in batches:
            if set_name not in self.tables:
                raise DataError("%s: no entity set %s in profile %s" % (file, set_name,
                                                                        self.profile))
            for row in rows:
                more = supplement.get(set_name, {}).get(row.get("Ref_Key"), {})
                clash = set(more) & set(row)
                if clash:
                    raise DataError("%s: supplement for %s(%s) overrides %s" % (
                        extra_path, set_name, row["Ref_Key"], sorted(clash)))
                table = self.tables[set_name]
                full = self.normalize(set_name, dict(row, **more), file)
                if table.find(full["Ref_Key"]) >= 0:
                    raise DataError("%s: %s(%s) appears twice" % (file, set_name,
                                                                 full["Ref_Key"]))
                table.put(full)
