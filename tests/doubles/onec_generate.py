"""Generated volume for the 1C OData double: users, clients with phones and documents,
deterministic for a seed and a clock (--seed, --now).

Refs are time-based like 1C's (UUID v1 from the creation time, two server nodes), so 1C ref
order differs from text order. Documents live as compact columns; a row becomes a dict only
when a query reads it, and a LazyRow computes only the fields read. Standard library only.
"""

import array
import json
import random

from onec_data import EPOCH, GREGORIAN, DataError, data_version, fmt_date
from onec_schema import UNDEFINED, USERS, ZERO_GUID

NODES = ["8f3a-005056a1c2d3",  # the fixtures' server (clock sequence + node)
         "9c2e-00155d01a8f4"]  # a second server: its refs sort apart from the first's in 1C order
DOC_SPAN = 300 * 86400
ORGANIZATION = "5e3a9c10-1b2a-11ee-9b1c-00155d0a4f12"
# Documents whose type forbids posting: Posted is always false (onec.md §3).
NOT_POSTED = {"Document_ТелефонныйЗвонок", "Document_СчетНаОплатуПокупателю"}


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


def generate(store, docs=0, clients=0, users=0, seed="1"):
    """Adds the generated rows to the store's tables."""
    Generator(store, seed).run(docs, clients, users)


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
