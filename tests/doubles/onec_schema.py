"""Entity sets of the 1C OData double (onec_odata.py): the two profiles' metadata.

A profile is a list of entity sets as 1C:Enterprise 8.3 publishes them through standard.odata
(onec.md §1.2, §1.4, §3): catalogs start with Ref_Key, Predefined, PredefinedDataName,
DataVersion, Description, [Code], [Parent_Key, IsFolder], DeletionMark; documents with Ref_Key,
DataVersion, Number, Date, DeletionMark, Posted. Every tabular section is also a set of its own
(<Set>_<Section>, key Ref_Key + LineNumber). Standard library only.
"""

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
EMPTY_DATE = "0001-01-01T00:00:00"
UNDEFINED = "StandardODATA.Undefined"

EDM = {"key": "Edm.Guid", "guid": "Edm.Guid", "ref": "Edm.Guid", "str": "Edm.String",
       "enum": "Edm.String", "composite": "Edm.String", "comptype": "Edm.String",
       "bool": "Edm.Boolean", "date": "Edm.DateTime", "num": "Edm.Double",
       "int64": "Edm.Int64", "binary": "Edm.Binary"}


class Prop:
    """One property of an entity type. kind is one of EDM's keys or "tab" (tabular section)."""

    __slots__ = ("name", "kind", "target", "length", "types", "columns", "default", "owner")

    def __init__(self, name, kind, target=None, length=None, types=None, columns=None,
                 default=None):
        self.name, self.kind, self.target, self.length = name, kind, target, length
        self.types, self.columns, self.owner = types, columns, None
        if default is None:
            default = {"key": ZERO_GUID, "guid": ZERO_GUID, "ref": ZERO_GUID, "bool": False,
                       "date": EMPTY_DATE, "num": 0, "int64": "0", "comptype": UNDEFINED,
                       "tab": ()}.get(kind, "")
            if kind == "str" and length:
                default = " " * length  # fixed-length strings come space-padded
        self.default = default

    @property
    def is_guid(self):
        return self.kind in ("key", "guid", "ref")

    def edm(self, entity_name):
        if self.kind == "tab":
            return "Collection(StandardODATA.%s_%s_RowType)" % (entity_name, self.name)
        return EDM[self.kind]


# Shorthands for the tables below.
def B(name): return Prop(name, "bool")
def S(name, length=None): return Prop(name, "str", length=length)
def E(name, default=""): return Prop(name, "enum", default=default)
def R(name, target=None): return Prop(name, "ref", target=target)
def G(name): return Prop(name, "guid")
def D(name): return Prop(name, "date")
def N(name): return Prop(name, "num")
def C(name, *types): return Prop(name, "composite", types=list(types))
def T(name, columns): return Prop(name, "tab", columns=columns)
def V(name):  # ValueStorage: base64 data + its type (onec.md §1.2)
    return [Prop(name + "_Base64Data", "binary"), Prop(name + "_Type", "str")]


class Entity:
    """An entity set with its type. props are in JSON order (a composite's X_Type right after X);
    meta_props in $metadata order (every X_Type after the tabular sections, as 1C emits them)."""

    def __init__(self, name, kind, props, synonym="", owner=None):
        self.name, self.kind, self.synonym, self.owner = name, kind, synonym, owner
        self.props = []
        for p in props:
            self.props.append(p)
            if p.kind == "composite":
                self.props.append(Prop(p.name + "_Type", "comptype"))
        self.by_name = {p.name: p for p in self.props}
        plain = [p for p in self.props if p.kind != "comptype"]
        self.meta_props = plain + [p for p in self.props if p.kind == "comptype"]
        self.key = ["Ref_Key", "LineNumber"] if kind == "Tabular" else ["Ref_Key"]
        self.template = {p.name: p.default for p in self.props}
        for p in self.props:
            if p.kind == "tab":
                for c in p.columns:
                    c.owner = p

    def section(self, name):
        p = self.by_name.get(name)
        return p if p is not None and p.kind == "tab" else None

    def nav_props(self, published):
        """(navigation name, target set) of single-type references into published sets."""
        return [(p.name[:-4], p.target) for p in self.props
                if p.kind == "ref" and p.target in published and p.name.endswith("_Key")]

    def row_entity(self, section):
        """The <Set>_<Section> entity set of a tabular section."""
        cols = [Prop(c.name, c.kind, c.target, c.length, c.types, default=c.default)
                for c in section.columns]
        return Entity("%s_%s" % (self.name, section.name), "Tabular", cols, owner=(self, section))


def catalog(name, fields, synonym, code=None, hierarchical=False):
    props = [Prop("Ref_Key", "key"), B("Predefined"), S("PredefinedDataName"), S("DataVersion"),
             S("Description")]
    if code:
        props.append(S("Code", code))
    if hierarchical:
        props += [R("Parent_Key", name), B("IsFolder")]
    props.append(B("DeletionMark"))
    return Entity(name, "Catalog", props + flatten(fields), synonym)


def document(name, fields, synonym):
    props = [Prop("Ref_Key", "key"), S("DataVersion"), S("Number"), D("Date"), B("DeletionMark"),
             B("Posted")]
    return Entity(name, "Document", props + flatten(fields), synonym)


def flatten(fields):
    out = []
    for f in fields:
        out.extend(f if isinstance(f, list) else [f])
    return out


def tabular_columns(*props):
    return [Prop("Ref_Key", "key"), Prop("LineNumber", "int64")] + list(props)


def contact_info(with_valid_from):
    """BSP's КонтактнаяИнформация section (onec.md §3.1)."""
    cols = [E("Тип"), R("Вид_Key"), S("Представление"), S("ЗначенияПолей"), S("Страна"),
            S("Регион"), S("Город"), S("АдресЭП"), S("ДоменноеИмяСервера"), S("НомерТелефона"),
            S("НомерТелефонаБезКодов"), R("ВидДляСписка_Key")]
    if with_valid_from:
        cols.append(D("ДействуетС"))
    cols.append(S("Значение"))
    return T("КонтактнаяИнформация", tabular_columns(*cols))


USERS = "Catalog_Пользователи"


def users_catalog():
    return catalog(USERS, [
        B("Недействителен"), B("Служебный"), B("Подготовлен"), R("ФизическоеЛицо_Key"),
        R("Подразделение_Key"), G("ИдентификаторПользователяИБ"), S("Комментарий"),
        V("Фотография"), contact_info(False)], "Пользователи")


def trade_profile():
    """Управление торговлей 11 (CRM-like): partners, legal entities, calls, orders, sales."""
    return [
        users_catalog(),
        catalog("Catalog_Партнеры", [
            S("НаименованиеПолное"), B("Клиент"), B("Поставщик"), B("Конкурент"),
            R("ОсновнойМенеджер_Key", USERS), D("ДатаРегистрации"), E("ЮрФизЛицо"),
            S("Комментарий"), contact_info(True)], "Партнеры", hierarchical=True),
        catalog("Catalog_Контрагенты", [
            S("НаименованиеПолное"), E("ЮрФизЛицо"), S("ИНН"), S("КПП"), S("КодПоОКПО", 10),
            R("Партнер_Key", "Catalog_Партнеры"), S("Комментарий"), contact_info(True)],
            "Контрагенты"),
        document("Document_ТелефонныйЗвонок", [
            B("Входящий"),
            C("АбонентКонтакт", "Catalog_Партнеры", "Catalog_КонтактныеЛицаПартнеров",
              "Catalog_Пользователи", "Catalog_ФизическиеЛица",
              "Catalog_СтроковыеКонтактыВзаимодействий"),
            S("АбонентКакСвязаться"), S("АбонентПредставление"), R("Ответственный_Key", USERS),
            R("Автор_Key", USERS), S("Тема"), S("Описание"), E("Важность", "Обычная"),
            S("Комментарий")], "Телефонный звонок"),
        document("Document_ЗаказКлиента", [
            R("Партнер_Key", "Catalog_Партнеры"), R("Контрагент_Key", "Catalog_Контрагенты"),
            R("Менеджер_Key", USERS), E("Статус"), N("СуммаДокумента"), R("Валюта_Key"),
            C("Автор", "Catalog_Пользователи", "Catalog_ВнешниеПользователи"),
            S("Комментарий"),
            T("Товары", tabular_columns(R("Номенклатура_Key"), N("Количество"), N("Цена"),
                                        N("Сумма")))], "Заказ клиента"),
        document("Document_РеализацияТоваровУслуг", [
            R("Партнер_Key", "Catalog_Партнеры"), R("Контрагент_Key", "Catalog_Контрагенты"),
            R("Менеджер_Key", USERS), R("Автор_Key", USERS), E("Статус"), N("СуммаДокумента"),
            C("ЗаказКлиента", "Document_ЗаказКлиента", "Document_ЗаявкаНаВозвратТоваровОтКлиента"),
            S("Комментарий")], "Реализация товаров и услуг"),
    ]


def accounting_profile():
    """Бухгалтерия предприятия 3.0: hierarchical counterparties with codes, sales and invoices."""
    return [
        users_catalog(),
        catalog("Catalog_Контрагенты", [
            S("НаименованиеПолное"), E("ЮридическоеФизическоеЛицо"), S("ИНН"), S("КПП"),
            S("КодПоОКПО", 10), R("ОсновнойБанковскийСчет_Key"), S("Комментарий"),
            contact_info(True)], "Контрагенты", code=9, hierarchical=True),
        document("Document_РеализацияТоваровУслуг", [
            E("ВидОперации"), R("Организация_Key"), R("Контрагент_Key", "Catalog_Контрагенты"),
            R("ДоговорКонтрагента_Key"), R("Ответственный_Key", USERS), N("СуммаДокумента"),
            S("Комментарий")], "Реализация (акт, накладная, УПД)"),
        document("Document_СчетНаОплатуПокупателю", [
            R("Организация_Key"), R("Контрагент_Key", "Catalog_Контрагенты"),
            R("ДоговорКонтрагента_Key"), R("Ответственный_Key", USERS), N("СуммаДокумента"),
            S("Комментарий")], "Счет покупателю"),
    ]


PROFILES = {"trade": trade_profile, "accounting": accounting_profile}


def entities(profile):
    """Every published set of the profile, tabular-section sets right after their owner."""
    out = []
    for e in PROFILES[profile]():
        out.append(e)
        for p in e.props:
            if p.kind == "tab":
                out.append(e.row_entity(p))
    return out
