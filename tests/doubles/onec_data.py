"""Rows of the 1C OData double: the base data in tests/doubles/onec/, deterministic generated
volume, and the tables the queries scan.

A table keeps its rows sorted by 1C's ref order (onec.md §1.3: the bytes d+e+c+b+a of
a-b-c-d-e), so keyset paging is a bisect. Generated rows are kept as compact columns and turned
into dicts only when a query reads them: a million documents cost about 100 MB and a few seconds.
Standard library only.
"""

import array
import base64
import bisect
import datetime
import json
import os
import random
import re
import struct

from onec_schema import UNDEFINED, USERS, ZERO_GUID, Entity, entities

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onec")
EPOCH = datetime.datetime(1970, 1, 1)
GREGORIAN = 12219292800  # seconds from the UUID v1 epoch (1582-10-15) to 1970-01-01
NODES = ["8f3a-005056a1c2d3",  # the fixtures' server (clock sequence + node)
         "9c2e-00155d01a8f4"]  # a second server: its refs sort apart from the first's in 1C order
DOC_SPAN = 300 * 86400
GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
ORGANIZATION = "5e3a9c10-1b2a-11ee-9b1c-00155d0a4f12"
# Documents whose type forbids posting: Posted is always false (onec.md §3).
NOT_POSTED = {"Document_ТелефонныйЗвонок", "Document_СчетНаОплатуПокупателю"}

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


def v1_guid(seconds, sub, node):
    """A time-based ref like 1C makes: created at `seconds` (naive local), unique by sub < 10**7."""
    ts = (seconds + GREGORIAN) * 10_000_000 + sub
    return "%08x-%04x-%04x-%s" % (ts & 0xFFFFFFFF, (ts >> 32) & 0xFFFF,
                                  0x1000 | ((ts >> 48) & 0x0FFF), NODES[node])


NODE_KEYS = [int(n.replace("-", ""), 16) << 64 for n in NODES]


def v1_key(seconds, sub, node):
    """sort_key(v1_guid(seconds, sub, node)) without the text."""
    ts = (seconds + GREGORIAN) * 10_000_000 + sub
    return NODE_KEYS[node] | ((0x1000 | ((ts >> 48) & 0x0FFF)) << 48) | \
        (((ts >> 32) & 0xFFFF) << 32) | (ts & 0xFFFFFFFF)


def phone_fields(digits, kind, extension=""):
    """A КонтактнаяИнформация phone row as BSP fills it from "+7 9xx xxx-xx-xx" (onec.md §3.1)."""
    area, number = digits[1:4], "%s-%s-%s" % (digits[4:7], digits[7:9], digits[9:11])
    mobile = digits[1] == "9"
    text = "+7 %s %s" % (area, number) if mobile else "+7 (%s) %s" % (area, number)
    if extension:
        text += ", доб. " + extension
    value = {"version": 5, "value": text, "comment": "", "type": "Телефон", "countryCode": "+7",
             "areaCode": area, "number": number, "extNumber": extension}
    return {"Тип": "Телефон", "Вид_Key": kind, "Представление": text,
            "НомерТелефона": digits, "НомерТелефонаБезКодов": digits[4:],
            "Значение": json.dumps(value, ensure_ascii=False, separators=(",", ":"))}


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

    def __init__(self, profile, now, docs=0, clients=0, users=0, seed=1):
        self.profile, self.now = profile, now
        self.entities = {e.name: e for e in entities(profile)}
        self.tables = {}
        for e in self.entities.values():
            self.tables[e.name] = (SectionView(e, self.tables[e.owner[0].name])
                                   if e.kind == "Tabular" else Table(e))
        self.load_base()
        Generator(self, seed).run(docs, clients, users)
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


class Generator:
    """Deterministic extra volume (seeded): users, clients with phones, and documents over the
    last 300 days pointing at the generated clients and the routable users."""

    COMPANY_A = ["Альфа", "Бета", "Вектор", "Гранит", "Дельта", "Енисей", "Заря", "Импульс",
                 "Кедр", "Лидер", "Меридиан", "Нева", "Орион", "Прогресс", "Радуга", "Сокол",
                 "Титан", "Урал", "Феникс", "Шторм", "Эталон", "Янтарь", "Волга", "Байкал"]
    COMPANY_B = ["Трейд", "Строй", "Сервис", "Логистик", "Маркет", "Техно", "Снаб", "Пром",
                 "Инвест", "Агро", "Медиа", "Электро", "Мебель", "Продукт", "Авто", "Софт"]
    SURNAMES = ["Иванов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов", "Новиков",
                "Морозов", "Волков", "Алексеев", "Семенов", "Егоров", "Павлов", "Степанов",
                "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров"]
    NAMES = ["Андрей", "Алексей", "Дмитрий", "Сергей", "Михаил", "Павел", "Игорь", "Олег",
             "Николай", "Виктор", "Юрий", "Роман"]
    PATRONYMICS = ["Андреевич", "Петрович", "Сергеевич", "Иванович", "Олегович", "Юрьевич"]
    STATUSES = {"Document_ЗаказКлиента": ["НеСогласован", "Согласован", "КОбеспечению",
                                          "КОтгрузке", "Закрыт"],
                "Document_РеализацияТоваровУслуг": ["Отгружено", "ВПути", "КПредоплате"]}
    OPERATIONS = ["Товары", "Услуги", "Товары"]
    TOPICS = ["Входящий звонок", "Исходящий звонок", "Пропущенный звонок",
              "Консультация по заказу", "Уточнение доставки"]
    NUMBERS = {"Document_ТелефонныйЗвонок": ("00-", 8), "Document_ЗаказКлиента": ("ТД00-", 6),
               "Document_СчетНаОплатуПокупателю": ("0000-", 6)}
    WEIGHTS = {"Document_ТелефонныйЗвонок": 5, "Document_ЗаказКлиента": 3}

    def __init__(self, store, seed):
        self.store, self.seed = store, seed
        self.now_s = int((store.now - EPOCH).total_seconds())
        self.prefix = "ТД00-" if store.profile == "trade" else "0000-"

    def rng(self, what):
        return random.Random("%s:%s" % (self.seed, what))

    def run(self, docs, clients, users):
        if clients > 1_000_000:
            raise DataError("--generate-clients: at most 1000000")
        self.users(users)
        pool = ClientPool(self, clients)
        doc_sets = [e for e in self.store.entities.values() if e.kind == "Document"]
        weights = [self.WEIGHTS.get(e.name, 2) for e in doc_sets]
        left = docs
        for i, e in enumerate(doc_sets):
            n = left if i == len(doc_sets) - 1 else docs * weights[i] // sum(weights)
            left -= n
            if n >= 1_250_000:
                raise DataError("--generate-docs: at most 1249999 documents per set")
            if n:
                DocumentColumns(self, e, i, n, pool).install()

    def users(self, k):
        """K routable users with a desk phone each (extensions 301…)."""
        table = self.store.tables[USERS]
        rng = self.rng("users")
        for j in range(k):
            seconds = self.now_s - 5 * 365 * 86400 + j * 86400 + rng.randrange(86400)
            name = "%s %s %s" % (rng.choice(self.SURNAMES), rng.choice(self.NAMES),
                                 rng.choice(self.PATRONYMICS))
            ref = v1_guid(seconds, j * 8 + 5, 0)
            phone = dict(phone_fields("74951234567", "c8b1d4e0-1f00-11e6-80c9-005056a1c2d3",
                                      str(301 + j)), Ref_Key=ref, LineNumber="1")
            table.put(self.store.normalize(USERS, {
                "Ref_Key": ref, "DataVersion": data_version(1 + j % 5), "Description": name,
                "КонтактнаяИнформация": [phone]}, "--generate-users"))

    def routable_users(self):
        return [r["Ref_Key"] for _, r in self.store.tables[USERS].scan()
                if not (r["DeletionMark"] or r["Недействителен"] or r["Служебный"])]


class ClientPool:
    """The clients documents point at: M generated ones (a Партнер and a Контрагент each where
    the profile has both), or the valid base clients when M is 0."""

    def __init__(self, gen, m):
        self.gen, self.m = gen, m
        store = gen.store
        self.partners = store.tables.get("Catalog_Партнеры")
        self.contractors = store.tables["Catalog_Контрагенты"]
        if m == 0:
            self.base = []
            for _, r in self.contractors.scan():
                if r["DeletionMark"] or r.get("IsFolder"):
                    continue
                phones = [x["НомерТелефона"] for x in r["КонтактнаяИнформация"]
                          if x["Тип"] == "Телефон"]
                partner = r.get("Партнер_Key")
                if self.partners is not None and partner == ZERO_GUID:
                    continue
                name = self.partners.get(partner)["Description"] if partner else r["Description"]
                self.base.append((r["Ref_Key"], partner, name, phones[0] if phones else ""))
            self.size = len(self.base)
            return
        self.users = gen.routable_users() or [ZERO_GUID]
        rng = gen.rng("clients")
        offsets = sorted((rng.random() for _ in range(m)), reverse=True)
        self.created = array.array("q", (gen.now_s - 86400 * 30 - int(o * 3 * 365 * 86400)
                                         for o in offsets))
        # bit 0 deleted, 1 an individual entrepreneur, 2 a second phone, 3 an e-mail
        self.flags = bytes((0, 0, 0, 0, 2, 4, 8, 12, 0, 0)[int(rng.random() * 10)] |
                           (rng.random() < 0.01) for _ in range(m))
        self.node = bytes(int(rng.random() < 0.1) for _ in range(m))
        self.base_phones = {"74957654321", "79215550102", "74951234567"}
        section = self.contractors.entity.by_name["КонтактнаяИнформация"]
        self.ci_template = {c.name: c.default for c in section.columns}
        self.size = m
        folder = [r["Ref_Key"] for _, r in self.contractors.scan() if r.get("IsFolder")]
        self.folder = folder[0] if folder else ZERO_GUID
        if self.partners is not None:
            self.install(self.partners, 6, self.partner_row)
        self.install(self.contractors, 7, self.contractor_row)

    def install(self, table, sub, make):
        created, node = self.created, self.node
        keys = [v1_key(created[i] + sub, i * 8 + sub, node[i]) for i in range(self.m)]
        order = sorted(range(self.m), key=keys.__getitem__)
        base = [table.row(p) for p in range(len(table))]
        table.keys, table.rows = [keys[i] for i in order], order
        table.gen = make
        for row in base:
            table.put(row)

    # -- what documents need to know about client i
    def partner_ref(self, i):
        if self.m == 0:
            return self.base[i][1]
        return v1_guid(self.created[i] + 6, i * 8 + 6, self.node[i])

    def contractor_ref(self, i):
        if self.m == 0:
            return self.base[i][0]
        return v1_guid(self.created[i] + 7, i * 8 + 7, self.node[i])

    def name(self, i):
        if self.m == 0:
            return self.base[i][2]
        g = self.gen
        if self.flags[i] & 2:  # an individual entrepreneur
            return "%s %s" % (g.SURNAMES[i % len(g.SURNAMES)], g.NAMES[(i // 7) % len(g.NAMES)])
        return "%s-%s" % (g.COMPANY_A[i % len(g.COMPANY_A)],
                          g.COMPANY_B[(i // len(g.COMPANY_A)) % len(g.COMPANY_B)])

    def phone(self, i):
        if self.m == 0:
            return self.base[i][3]
        digits = "79%09d" % ((i * 7919 + 1_000_003) % 10**9)
        if digits in self.base_phones:
            digits = "79%09d" % ((i * 7919 + 501_000_003) % 10**9)
        return digits

    # -- the rows
    def contact_info(self, i, ref, phone_kind, mail_kind):
        lines = [phone_fields(self.phone(i), phone_kind)]
        if self.flags[i] & 4:
            lines.append(phone_fields("7495%07d" % ((i * 31 + 2_000_000) % 10**7), phone_kind))
        if self.flags[i] & 8:
            mail = "sales%d@client%d.example" % (i, i)
            lines.append({"Тип": "АдресЭлектроннойПочты", "Вид_Key": mail_kind,
                          "Представление": mail, "АдресЭП": mail,
                          "ДоменноеИмяСервера": "client%d.example" % i})
        out = []
        for n, line in enumerate(lines):
            full = dict(self.ci_template)
            full.update(line)
            full["Ref_Key"], full["LineNumber"] = ref, str(n + 1)
            out.append(full)
        return out


    def partner_row(self, i):
        r = dict(self.partners.entity.template)
        ref = self.partner_ref(i)
        r.update({"Ref_Key": ref, "DataVersion": data_version(1 + i % 6),
                  "Description": self.name(i), "DeletionMark": bool(self.flags[i] & 1),
                  "НаименованиеПолное": self.name(i), "Клиент": True,
                  "ОсновнойМенеджер_Key": self.users[i % len(self.users)],
                  "ДатаРегистрации": fmt_date(self.created[i]),
                  "ЮрФизЛицо": "ИндивидуальныйПредприниматель" if self.flags[i] & 2 else "ЮрЛицо",
                  "КонтактнаяИнформация": self.contact_info(
                      i, ref, "c8b1d4e4-1f00-11e6-80c9-005056a1c2d3",
                      "c8b1d4e5-1f00-11e6-80c9-005056a1c2d3")})
        return r

    def contractor_row(self, i):
        e = self.contractors.entity
        r = dict(e.template)
        ref = self.contractor_ref(i)
        person = self.flags[i] & 2
        inn = "%012d" % ((500100000000 + i * 7919) % 10**12) if person else \
            "%010d" % ((7700000000 + i * 104729) % 10**10)
        r.update({"Ref_Key": ref, "DataVersion": data_version(1 + i % 4),
                  "Description": self.name(i) + (" ИП" if person else " ООО"),
                  "DeletionMark": bool(self.flags[i] & 1), "ИНН": inn,
                  "КПП": "" if person else inn[:4] + "01001",
                  "КонтактнаяИнформация": self.contact_info(
                      i, ref, "c8b1d4e1-1f00-11e6-80c9-005056a1c2d3",
                      "c8b1d4e2-1f00-11e6-80c9-005056a1c2d3")})
        kind = "ИндивидуальныйПредприниматель" if person else "ЮрЛицо"
        if "Партнер_Key" in e.by_name:
            r["Партнер_Key"] = self.partner_ref(i)
            r["ЮрФизЛицо"] = kind
            r["НаименованиеПолное"] = r["Description"]
        else:
            r["ЮридическоеФизическоеЛицо"] = "ФизическоеЛицо" if person else "ЮридическоеЛицо"
            r["Code"] = "%09d" % (i + 100)
            r["Parent_Key"] = self.folder
            r["НаименованиеПолное"] = r["Description"]
        return r


class DocumentColumns:
    """N documents of one set as columns; row(i) builds the dict when a query needs it."""

    def __init__(self, gen, entity, set_index, n, pool):
        self.entity, self.n, self.pool, self.si = entity, n, pool, set_index
        self.users = gen.routable_users() or [ZERO_GUID]
        self.table = gen.store.tables[entity.name]
        if pool.size == 0:
            raise DataError("%s: no client to point documents at" % entity.name)
        rand = gen.rng(entity.name).random
        offsets = sorted((rand() for _ in range(n)), reverse=True)  # oldest first
        now, floor = gen.now_s, gen.now_s - DOC_SPAN
        self.created = array.array("q", (now - int(o * DOC_SPAN) for o in offsets))
        m, nu = pool.size, len(self.users)
        posted = 0.0 if entity.name in NOT_POSTED else 0.88
        # most documents are dated when entered; 2% are entered up to a month later
        self.date = array.array("q", (max(floor, c - (3600 + int(rand() * 30 * 86400)
                                                      if rand() < 0.02 else int(rand() * 900)))
                                      for c in self.created))
        self.client = array.array("l", (int(m * rand() ** 2) for _ in range(n)))  # skewed
        self.user = array.array("H", (int(rand() * nu) for _ in range(n)))
        # bit 0 deleted, 1 posted, 2 incoming call, 3 a call with only the number, no contact
        self.flags = bytes((1 if r < 0.01 else 2 if r < 0.01 + posted * 0.99 else 0) |
                           (4 if rand() < 0.7 else 0) | (8 if rand() < 0.05 else 0)
                           for r in (rand() for _ in range(n)))
        self.choice = bytes(int(rand() * 5) for _ in range(n))
        self.node = bytes(rand() < 0.1 for _ in range(n))
        self.amount = array.array("d", (round(500 + rand() * 250000, 2) for _ in range(n)))
        self.prefix, self.width = gen.NUMBERS.get(entity.name, (gen.prefix, 6))
        self.statuses = gen.STATUSES.get(entity.name, ["Отгружено"])
        self.ops, self.topics = gen.OPERATIONS, gen.TOPICS
        has = entity.by_name
        self.fields = {name: name in has for name in (
            "Партнер_Key", "Контрагент_Key", "Менеджер_Key", "Ответственный_Key", "Автор_Key",
            "Автор", "Организация_Key", "СуммаДокумента", "Статус", "ВидОперации",
            "АбонентКонтакт")}
        self.contact_type = "StandardODATA." + ("Catalog_Партнеры" if pool.partners is not None
                                                else "Catalog_Контрагенты")
        self.versions = [data_version(v) for v in range(1, 8)]

    def ref(self, i):
        return v1_guid(self.created[i], i * 8 + self.si, self.node[i])

    def install(self):
        created, node, si = self.created, self.node, self.si
        keys = [v1_key(created[i], i * 8 + si, node[i]) for i in range(self.n)]
        order = sorted(range(self.n), key=keys.__getitem__)
        base = [self.table.row(p) for p in range(len(self.table))]
        self.table.keys, self.table.rows = [keys[i] for i in order], order
        makers, template = self.makers(), self.entity.template

        def field(i, name):
            m = makers.get(name)
            return m(i) if m is not None else template[name]

        def lazy(i):
            return LazyRow(field, i)

        items = list(makers.items())

        def full(i):
            r = dict(template)
            for name, make in items:
                r[name] = make(i)
            return r

        self.table.gen, self.table.lazy = full, lazy
        for row in base:
            self.table.put(row)

    def makers(self):
        """{field: function(i) -> value} for the fields that are not the set's defaults."""
        flags, client, pool, has = self.flags, self.client, self.pool, self.fields
        users, user = self.users, self.user
        prefix, width, date, versions = self.prefix, self.width, self.date, self.versions
        m = {"Ref_Key": self.ref, "DataVersion": lambda i: versions[i % 7],
             "Number": lambda i: "%s%0*d" % (prefix, width, 1000 + i),
             "Date": lambda i: fmt_date(date[i]), "DeletionMark": lambda i: bool(flags[i] & 1),
             "Posted": lambda i: bool(flags[i] & 2)}
        if has["Партнер_Key"]:
            m["Партнер_Key"] = lambda i: pool.partner_ref(client[i])
        if has["Контрагент_Key"]:
            m["Контрагент_Key"] = lambda i: pool.contractor_ref(client[i])
        for name in ("Менеджер_Key", "Ответственный_Key", "Автор_Key", "Автор"):
            if has[name]:
                m[name] = lambda i: users[user[i]]
        if has["Автор"]:
            m["Автор_Type"] = lambda i: "StandardODATA.Catalog_Пользователи"
        if has["Организация_Key"]:
            m["Организация_Key"] = lambda i: ORGANIZATION
        if has["СуммаДокумента"]:
            amount = self.amount
            m["СуммаДокумента"] = lambda i: int(amount[i]) if i % 3 == 0 or \
                amount[i].is_integer() else amount[i]
        choice = self.choice
        if has["Статус"]:
            statuses = self.statuses
            m["Статус"] = lambda i: statuses[choice[i] % len(statuses)]
        if has["ВидОперации"]:
            ops = self.ops
            m["ВидОперации"] = lambda i: ops[choice[i] % len(ops)]
        if has["АбонентКонтакт"]:
            topics, contact_type = self.topics, self.contact_type
            m["Входящий"] = lambda i: bool(flags[i] & 4)
            m["Тема"] = lambda i: topics[choice[i]]
            # bit 3: only the number, the client is found by phone
            m["АбонентКонтакт"] = lambda i: "" if flags[i] & 8 else (
                pool.partner_ref(client[i]) if pool.partners is not None
                else pool.contractor_ref(client[i]))
            m["АбонентКонтакт_Type"] = lambda i: UNDEFINED if flags[i] & 8 else contact_type

            def how(i):
                p = pool.phone(client[i])
                if flags[i] & 8:
                    return "8" + p[1:]
                return "+7 %s %s-%s-%s" % (p[1:4], p[4:7], p[7:9], p[9:11])
            m["АбонентКакСвязаться"] = how
            m["АбонентПредставление"] = lambda i: how(i) if flags[i] & 8 else \
                pool.name(client[i])
        return m


class LazyRow(dict):
    """A generated row that computes a field when a query first reads it."""

    __slots__ = ("field", "i")

    def __init__(self, field, i):
        self.field, self.i = field, i

    def __missing__(self, name):
        value = self[name] = self.field(self.i, name)
        return value

