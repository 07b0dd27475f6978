"""Query options of the 1C OData double: $filter, $select, $orderby, $top, $skip,
$inlinecount, as onec.md §1.3 describes 1C:Enterprise 8.3's standard.odata.

$filter is parsed by precedence (or < and < comparison < add/sub < mul/div/mod < unary not/-),
type-checked against the entity set (a mismatch such as `Date ge 2024` is error 14, as in 1C),
and compiled to a Python closure. Ref_Key and every *_Key compare in 1C's byte order
(onec_data.sort_key), also for gt/lt. Standard library only.
"""

import re

from onec_data import GUID_RE, sort_key
from onec_schema import UNDEFINED

ERR_FILTER = "Ошибка при разборе опции запроса $filter"


class ODataError(Exception):
    """An error 1C answers with {"odata.error": {"code": ..., "message": ...}}."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, str(code), message


def bad_filter(detail):
    return ODataError(400, 14, "%s: %s" % (ERR_FILTER, detail))


def not_found_segment(name):
    return ODataError(400, 6, "Сегмент пути %s не найден!" % name)


# -- $filter: tokens
TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t]+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<typed>(?:guid|datetime|datetimeoffset|time|binary|X)'[^']*')
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)
  | (?P<name>[^\W\d]\w*)
  | (?P<punct>[(),/:])
""", re.VERBOSE)
WORD_OPS = {"eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "add", "sub", "mul", "div",
            "mod"}
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
NOT_IN_1C = {"length", "indexof", "replace", "tolower", "toupper", "trim", "years", "days",
             "hours", "minutes", "seconds", "floor", "ceiling", "contains"}


def tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise bad_filter("неожиданный символ '%s' в позиции %d" % (text[pos], pos + 1))
        kind = m.lastgroup
        if kind != "ws":
            tokens.append((kind, m.group(), pos))
        pos = m.end()
    tokens.append(("end", "", pos))
    return tokens


def parse_literal(kind, text):
    """A literal token as ("lit", type, value)."""
    if kind == "string":
        return ("lit", "string", text[1:-1].replace("''", "'"))
    if kind == "number":
        body = text.rstrip("mMdDfFlL")
        value = float(body) if any(c in body for c in ".eE") else int(body)
        return ("lit", "number", value)
    prefix, _, rest = text.partition("'")
    value = rest[:-1]
    if prefix == "guid":
        if not GUID_RE.match(value.lower()):
            raise bad_filter("неверный литерал %s" % text)
        return ("lit", "guid", value.lower())
    if prefix == "datetime":
        m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(\.\d+)?$", value)
        if not m:
            raise bad_filter("неверный литерал %s" % text)
        return ("lit", "datetime", m.group(1) + (m.group(2) or ":00"))
    raise bad_filter("литерал %s не поддерживается тестовым двойником" % prefix)


class Parser:
    def __init__(self, text):
        self.tokens, self.i = tokenize(text), 0

    def peek(self, value=None):
        kind, text, _ = self.tokens[self.i]
        if value is None:
            return kind, text
        return kind == "name" and text == value or kind == "punct" and text == value

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value):
        if not self.peek(value):
            kind, text, pos = self.tokens[self.i]
            raise bad_filter("ожидалось '%s' в позиции %d, найдено '%s'" % (value, pos + 1,
                                                                         text or "конец"))
        self.take()

    def parse(self):
        node = self.expr()
        kind, text, pos = self.tokens[self.i]
        if kind != "end":
            raise bad_filter("лишний текст '%s' в позиции %d" % (text, pos + 1))
        return node

    def expr(self):
        return self.binary(("or",), self.and_expr)

    def and_expr(self):
        return self.binary(("and",), self.comparison)

    def binary(self, ops, operand):
        node = operand()
        while self.peek()[0] == "name" and self.peek()[1] in ops:
            op = self.take()[1]
            node = (op, node, operand())
        return node

    def comparison(self):
        node = self.additive()
        if self.peek()[0] == "name" and self.peek()[1] in COMPARISONS:
            op = self.take()[1]
            node = ("cmp", op, node, self.additive())
        return node

    def additive(self):
        node = self.multiplicative()
        while self.peek()[0] == "name" and self.peek()[1] in ("add", "sub"):
            node = ("arith", self.take()[1], node, self.multiplicative())
        return node

    def multiplicative(self):
        node = self.unary()
        while self.peek()[0] == "name" and self.peek()[1] in ("mul", "div", "mod"):
            node = ("arith", self.take()[1], node, self.unary())
        return node

    def unary(self):
        if self.peek("not"):
            self.take()
            return ("not", self.unary())
        return self.primary()

    def primary(self):
        kind, text, pos = self.take()
        if kind in ("string", "number", "typed"):
            return parse_literal(kind, text)
        if kind == "punct" and text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind != "name" or text in WORD_OPS:
            raise bad_filter("неожиданное '%s' в позиции %d" % (text or "конец", pos + 1))
        if text in ("true", "false"):
            return ("lit", "bool", text == "true")
        if text == "null":
            return ("lit", "null", None)
        if self.peek("("):
            self.take()
            args = []
            if not self.peek(")"):
                args.append(self.expr())
                while self.peek(","):
                    self.take()
                    args.append(self.expr())
            self.expect(")")
            return ("call", text, args)
        path = [text]
        while self.peek("/"):
            self.take()
            kind, name, pos = self.take()
            if kind != "name":
                raise bad_filter("ожидалось имя в позиции %d" % (pos + 1))
            if name in ("any", "all") and self.peek("("):
                self.take()
                if self.peek(")"):
                    self.take()
                    return ("lambda", name, path, None, None)
                var = self.take()
                self.expect(":")
                body = self.expr()
                self.expect(")")
                return ("lambda", name, path, var[1], body)
            path.append(name)
        return ("path", path)


# -- $filter: compilation. A compiled node is (function(row) -> value, type); types are
# "string", "guid", "datetime", "bool", "number", "null", "composite" (a value whose X_Type
# says what it is), "typedref" (cast(guid, 'Catalog_X')) and "section".
EDM_TYPES = {"key": "guid", "guid": "guid", "ref": "guid", "str": "string", "enum": "string",
             "comptype": "string", "binary": "string", "bool": "bool", "date": "datetime",
             "num": "number", "int64": "number", "composite": "composite", "tab": "section"}


class Compiler:
    def __init__(self, entity):
        self.entity = entity
        self.scopes = {}  # lambda variable -> tabular section Prop

    def compile(self, node):
        fn, typ = self.node(node)
        if typ != "bool":
            raise bad_filter("условие должно быть логическим")
        return fn

    def node(self, node):
        kind = node[0]
        if kind == "lit":
            value = node[2]
            return (lambda row: value), node[1]
        if kind == "path":
            return self.path(node[1])
        if kind in ("and", "or"):
            (lf, lt), (rf, rt) = self.node(node[1]), self.node(node[2])
            if lt != "bool" or rt != "bool":
                raise bad_filter("операнды '%s' должны быть логическими" % kind)
            if kind == "and":
                return (lambda row: lf(row) and rf(row)), "bool"
            return (lambda row: lf(row) or rf(row)), "bool"
        if kind == "not":
            f, t = self.node(node[1])
            if t != "bool":
                raise bad_filter("операнд 'not' должен быть логическим")
            return (lambda row: not f(row)), "bool"
        if kind == "cmp":
            return self.comparison(node[1], node[2], node[3])
        if kind == "arith":
            return self.arith(node[1], node[2], node[3])
        if kind == "call":
            return self.call(node[1], node[2])
        if kind == "lambda":
            return self.lambda_(node)
        raise bad_filter("неизвестный узел")

    def path(self, path):
        scope_entity = self.entity
        head = path[0]
        if head in self.scopes:
            section = self.scopes[head]
            if len(path) != 2:
                raise bad_filter("ожидалось %s/<поле>" % head)
            col = next((c for c in section.columns if c.name == path[1]), None)
            if col is None:
                raise not_found_segment(path[1])
            name = col.name
            return (lambda row: row[1][name]), EDM_TYPES[col.kind]
        if len(path) > 1:
            if head in scope_entity.by_name:
                raise bad_filter("переход по ссылке %s не реализован тестовым двойником" %
                                 "/".join(path))
            raise not_found_segment(head)
        prop = scope_entity.by_name.get(head)
        if prop is None:
            raise not_found_segment(head)
        typ = EDM_TYPES[prop.kind]
        if prop.kind == "composite":
            tname = head + "_Type"
            return (lambda row: (row[0][head], row[0][tname])), typ
        return (lambda row: row[0][head]), typ

    def lambda_(self, node):
        _, which, path, var, body = node
        section = self.entity.section(path[0]) if len(path) == 1 else None
        if section is None:
            raise bad_filter("%s/%s: табличная часть не найдена" % ("/".join(path), which))
        name = section.name
        if var is None:
            return (lambda row: bool(row[0][name])), "bool"
        self.scopes[var] = section
        try:
            f, t = self.node(body)
        finally:
            del self.scopes[var]
        if t != "bool":
            raise bad_filter("условие %s должно быть логическим" % which)
        test = any if which == "any" else all
        return (lambda row: test(f((row[0], line)) for line in row[0][name])), "bool"

    def comparison(self, op, left, right):
        (lf, lt), (rf, rt) = self.node(left), self.node(right)
        if lt == "composite" or rt == "composite":
            return self.composite_comparison(op, lf, lt, rf, rt)
        if "null" in (lt, rt):
            result = (op == "eq") == (lt == rt)
            return (lambda row: result), "bool"
        if lt == "string" and rt == "datetime" or lt == "datetime" and rt == "string":
            lt = rt = "string"  # 1C compares a string field with a datetime literal (P7 probe)
        if lt != rt or lt in ("section", "typedref"):
            raise bad_filter("несовместимые типы операндов '%s': %s и %s%s" % (
                op, lt, rt, echo_number(left, right)))
        if lt in ("guid",) and op not in ("eq", "ne"):
            lf, rf = keyed(lf), keyed(rf)  # 1C's byte order, not the text's
        elif lt == "guid":
            pass
        elif lt == "bool" and op not in ("eq", "ne"):
            raise bad_filter("логические значения сравниваются только eq/ne")
        return compare(op, lf, rf), "bool"

    def composite_comparison(self, op, lf, lt, rf, rt):
        if lt != "composite":
            lf, lt, rf, rt = rf, rt, lf, lt
            op = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}.get(op, op)
        if op not in ("eq", "ne"):
            raise bad_filter("поле составного типа сравнивается только eq/ne")
        want = op == "eq"
        if rt == "typedref":
            return (lambda row: (lf(row) == rf(row)) == want), "bool"
        if rt == "string":  # a string-valued composite (e.g. СтроковыеКонтактыВзаимодействий)
            return (lambda row: (lf(row)[0] == rf(row) and lf(row)[1] == "Edm.String")
                    == want), "bool"
        if rt == "null":
            return (lambda row: (lf(row)[1] == UNDEFINED) == want), "bool"
        if rt == "guid":  # a bare guid never matches a composite (onec.md §1.3)
            return (lambda row: not want), "bool"
        raise bad_filter("несовместимые типы операндов '%s': composite и %s" % (op, rt))

    def arith(self, op, left, right):
        (lf, lt), (rf, rt) = self.node(left), self.node(right)
        if lt != "number" or rt != "number":
            raise bad_filter("арифметика '%s' определена только для чисел" % op)
        fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
              "mul": lambda a, b: a * b,
              "div": lambda a, b: a / b if b else 0, "mod": lambda a, b: a % b if b else 0}[op]
        return (lambda row: fn(lf(row), rf(row))), "number"

    def call(self, name, args):
        if name in NOT_IN_1C:
            raise bad_filter("функция %s не поддерживается" % name)
        compiled = [self.node(a) for a in args]
        types = [t for _, t in compiled]
        fns = [f for f, _ in compiled]

        def need(*want):
            if tuple(types) != want:
                # 1C answers a function over an unsuitable field with 500 (P7 probe)
                raise ODataError(500, -1, "Произошла внутренняя ошибка OData сервиса. "
                                          "Неверные параметры функции %s" % name)
        if name in ("substringof", "startswith", "endswith"):
            need("string", "string")
            a, b = fns
            if name == "substringof":
                return (lambda row: a(row) in b(row)), "bool"
            method = str.startswith if name == "startswith" else str.endswith
            return (lambda row: method(a(row), b(row))), "bool"
        if name == "concat":
            need("string", "string")
            a, b = fns
            return (lambda row: a(row) + b(row)), "string"
        if name in ("year", "month", "day", "hour", "minute", "second"):
            need("datetime")
            a = fns[0]
            start, end = {"year": (0, 4), "month": (5, 7), "day": (8, 10), "hour": (11, 13),
                          "minute": (14, 16), "second": (17, 19)}[name]
            return (lambda row: int(a(row)[start:end])), "number"
        if name == "cast":
            if len(args) != 2 or types[1] != "string" or args[1][0] != "lit" or \
                    types[0] != "guid":
                raise bad_filter("cast(guid'…', 'Тип') ожидает ссылку и имя типа")
            value, target = args[0][2], "StandardODATA." + args[1][2]
            return (lambda row: (value, target)), "typedref"
        if name == "isof":
            if len(args) != 2 or types[0] != "composite" or args[1][0] != "lit":
                raise bad_filter("isof(Поле, 'Тип') ожидает поле составного типа")
            target, a = "StandardODATA." + args[1][2], fns[0]
            return (lambda row: a(row)[1] == target), "bool"
        if name == "like":
            need("string", "string")
            a, b = fns
            cache = {}

            def like(row):
                pattern = b(row)
                rx = cache.get(pattern)
                if rx is None:
                    rx = cache[pattern] = re.compile(
                        "".join(".*" if c == "%" else "." if c == "_" else re.escape(c)
                                for c in pattern) + r"\Z", re.S)
                return rx.match(a(row)) is not None
            return like, "bool"
        raise bad_filter("функция %s не реализована тестовым двойником" % name)


def echo_number(left, right):
    """1C repeats an unquoted number it cannot use (P7 probe)."""
    for n in (left, right):
        if n[0] == "lit" and n[1] == "number":
            return " (%s)" % n[2]
    return ""


def keyed(fn):
    return lambda row: sort_key(fn(row))


def compare(op, lf, rf):
    if op == "eq":
        return lambda row: lf(row) == rf(row)
    if op == "ne":
        return lambda row: lf(row) != rf(row)
    if op == "gt":
        return lambda row: lf(row) > rf(row)
    if op == "ge":
        return lambda row: lf(row) >= rf(row)
    if op == "lt":
        return lambda row: lf(row) < rf(row)
    return lambda row: lf(row) <= rf(row)


def ref_bounds(node):
    """Bounds on Ref_Key implied by the top-level conjunction, as sort keys ((lo, inclusive),
    (hi, inclusive)), so that keyset paging starts with a bisect; and the other terms, which
    are left to evaluate row by row (the scan itself enforces the bounds)."""
    lo = hi = None
    terms, rest, stack = [], [], [node]
    while stack:
        n = stack.pop()
        if n[0] == "and":
            stack += [n[2], n[1]]
        else:
            terms.append(n)
    for n in terms:
        op, a, b = (n[1], n[2], n[3]) if n[0] == "cmp" else (None, None, None)
        if b == ("path", ["Ref_Key"]) and a[0] == "lit":
            a, b = b, a
            op = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}.get(op, op)
        if a != ("path", ["Ref_Key"]) or b[0] != "lit" or b[1] != "guid" or op == "ne":
            rest.append(n)
            continue
        k = sort_key(b[2])
        if op in ("gt", "ge", "eq") and (lo is None or k > lo[0] or k == lo[0] and op == "gt"):
            lo = (k, op != "gt")
        if op in ("lt", "le", "eq") and (hi is None or k < hi[0] or k == hi[0] and op == "lt"):
            hi = (k, op != "lt")
    return lo, hi, rest


def compile_filter(entity, text):
    """(predicate(row) -> bool or None, ref bounds) for a $filter text."""
    tree = Parser(text).parse()
    Compiler(entity).compile(tree)  # type-checks the whole expression
    lo, hi, rest = ref_bounds(tree)
    if not rest:
        return None, (lo, hi)
    node = rest[0]
    for n in rest[1:]:
        node = ("and", node, n)
    fn = Compiler(entity).compile(node)
    return (lambda row: fn((row, None))), (lo, hi)


# -- $select
def compile_select(entity, text):
    """A list of output items: ("field", name), ("sub", section, [columns]), ("pres", name).
    None means every field (no $select)."""
    if text is None:
        return None
    items, seen = [], set()

    def add(item):
        if item not in seen:
            seen.add(item)
            items.append(item)
    for raw in text.split(","):
        name = raw.strip(" ")
        if not name:
            raise ODataError(400, 14, "Ошибка при разборе опции запроса $select")
        if name in ("*", "**"):
            for p in entity.props:
                if name == "*" or p.kind != "tab":
                    add(("field", p.name))
            continue
        if name.endswith("____Presentation"):
            base = name[:-len("____Presentation")]
            if base == "*":
                for p in entity.props:
                    if p.kind in ("ref", "composite"):
                        add(("pres", p.name[:-4] if p.kind == "ref" else p.name))
                continue
            if base not in entity.by_name and base + "_Key" not in entity.by_name:
                raise not_found_segment(name)
            add(("pres", base))
            continue
        if name == "Presentation":
            add(("pres", ""))
            continue
        if "/" in name:
            head, _, col = name.partition("/")
            section = entity.section(head)
            if section is None:
                raise not_found_segment(head)
            cols = [c.name for c in section.columns] if col == "*" else [col]
            for c in cols:
                if not any(x.name == c for x in section.columns):
                    raise not_found_segment(c)
            existing = next((it for it in items if it[0] == "sub" and it[1] == head), None)
            if existing:
                existing[2].extend(c for c in cols if c not in existing[2])
            else:
                items.append(("sub", head, list(cols)))
            continue
        if name in entity.by_name:
            add(("field", name))
        elif name + "_Key" in entity.by_name:
            continue  # a navigation property: only $expand would use it
        else:
            raise not_found_segment(name)
    return items


# -- $orderby
def compile_orderby(entity, text):
    """[(name, descending)] or None."""
    if text is None or not text.strip():
        return None
    out = []
    for raw in text.split(","):
        parts = raw.strip(" ").split(" ")
        parts = [p for p in parts if p]
        if not parts or len(parts) > 2 or len(parts) == 2 and parts[1] not in ("asc", "desc"):
            raise ODataError(400, 14, "Ошибка при разборе опции запроса $orderby: '%s'" % raw)
        prop = entity.by_name.get(parts[0])
        if prop is None or prop.kind == "tab":
            raise not_found_segment(parts[0])
        out.append((prop, len(parts) == 2 and parts[1] == "desc"))
    return out
