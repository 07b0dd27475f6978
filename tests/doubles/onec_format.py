"""What the 1C OData double writes: JSON rows, Atom feeds, $metadata (CSDL v3) and the
service document, shaped as onec.md §1.2 and §1.4 describe 1C:Enterprise 8.3's output.
Standard library only.
"""

import datetime
import json
from xml.sax.saxutils import escape, quoteattr

from onec_schema import UNDEFINED, ZERO_GUID

try:  # the C encoder made once: half the cost of json.dumps per row
    from json.encoder import c_make_encoder, encode_basestring

    def _refuse(o):
        raise TypeError("not JSON: %r" % (o,))
    _ROW_ENCODER = c_make_encoder(None, _refuse, encode_basestring, None, ": ", ", ", False,
                                  False, True)

    def ENCODE(obj):
        return "".join(_ROW_ENCODER(obj, 0))
except (ImportError, TypeError):
    ENCODE = json.JSONEncoder(ensure_ascii=False).encode
NS_EDMX = "http://schemas.microsoft.com/ado/2007/06/edmx"
NS_M = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
NS_D = "http://schemas.microsoft.com/ado/2007/08/dataservices"
NS_EDM = "http://schemas.microsoft.com/ado/2009/11/edm"


# -- presentations (X____Presentation in $select, onec.md §1.2)
def own_presentation(entity, row):
    if entity.kind == "Document":
        date = datetime.datetime.fromisoformat(row["Date"])
        return "%s %s от %s %d:%s" % (entity.synonym, row["Number"].strip(),
                                      date.strftime("%d.%m.%Y"), date.hour,
                                      date.strftime("%M:%S"))
    return row["Description"] if "Description" in entity.by_name else ""


def presentation(store, entity, row, base):
    if base == "":
        return own_presentation(entity, row)
    prop = entity.by_name.get(base + "_Key")
    if prop is not None:
        ref, target = row[prop.name], prop.target
    else:
        ref = row[base]
        kind = row[base + "_Type"] if base + "_Type" in entity.by_name else UNDEFINED
        target = kind[len("StandardODATA."):] if kind.startswith("StandardODATA.") else None
        if kind == UNDEFINED or target is None:
            return ref if kind == "Edm.String" else ""
    if ref in ("", ZERO_GUID):
        return ""
    other = store.lookup(target, ref) if target else None
    if other is None:
        return "<Объект не найден> (%s)" % ref
    return own_presentation(store.entities[target], other)


# -- rows
def select_row(store, entity, row, select, nav_links=None):
    """The row as 1C returns it: every field (plus navigation links in minimal metadata) or the
    $select items in their order."""
    if select is None:
        if row.__class__ is not dict:  # a generated row computed only partly so far
            row = {p.name: row[p.name] for p in entity.props}
        if not nav_links:
            return row
        out = {}
        for name, value in row.items():
            out[name] = value
            link = nav_links.get(name)
            if link:
                out[link[0] + "@navigationLinkUrl"] = "%s(guid'%s')/%s" % (
                    entity.name, row["Ref_Key"], link[0])
        return out
    out = {}
    for item in select:
        kind, name = item[0], item[1]
        if kind == "field":
            out[name] = row[name]
        elif kind == "sub":
            out[name] = [{c: line[c] for c in item[2]} for line in row[name]]
        else:
            out[(name + "____Presentation") if name else "Presentation"] = presentation(
                store, entity, row, name)
    return out


def nav_link_map(entity, published):
    """{X_Key: (X, target)} for the references that $metadata declares as navigation."""
    return {nav + "_Key": (nav, target) for nav, target in entity.nav_props(published)}


def json_collection(meta_url, rows, count=None):
    """The collection envelope around already serialized rows."""
    head = []
    if meta_url is not None:
        head.append('"odata.metadata": %s' % ENCODE(meta_url))
    if count is not None:
        head.append('"odata.count": "%d"' % count)  # a string, as 1C writes it
    head.append('"value": [')
    return ("{" + ", ".join(head)).encode() + b", ".join(rows) + b"]}"


def json_entity(meta_url, obj):
    out = {} if meta_url is None else {"odata.metadata": meta_url}
    out.update(obj)
    return ENCODE(out).encode()


def json_error(code, message):
    return ENCODE({"odata.error": {"code": str(code), "message": {"lang": "ru",
                                                                  "value": message}}}).encode()


def xml_error(code, message):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<m:error xmlns:m="%s"><m:code>%s</m:code>'
            '<m:message xml:lang="ru">%s</m:message></m:error>' % (
                NS_M, code, escape(message))).encode()


# -- Atom
def atom_value(value):
    if isinstance(value, bool):
        return ' m:type="Edm.Boolean">%s' % ("true" if value else "false")
    if isinstance(value, (int, float)):
        return ' m:type="Edm.Double">%s' % value
    return ">" + escape(str(value))


def atom_properties(entity, obj, indent="      "):
    parts = []
    for name, value in obj.items():
        prop = entity.by_name.get(name)
        if isinstance(value, (list, tuple)):
            rows = "".join("<d:element>%s</d:element>" % "".join(
                "<d:%s%s</d:%s>" % (k, atom_value(v), k) for k, v in line.items())
                for line in value)
            parts.append('%s<d:%s m:type="%s">%s</d:%s>' % (
                indent, name, prop.edm(entity.name) if prop else "Collection", rows, name))
            continue
        typ = prop.edm(entity.name) if prop is not None else "Edm.String"
        if typ in ("Edm.Guid", "Edm.DateTime", "Edm.Int64", "Edm.Binary"):
            parts.append('%s<d:%s m:type="%s">%s</d:%s>' % (indent, name, typ,
                                                            escape(str(value)), name))
        else:
            parts.append("%s<d:%s%s</d:%s>" % (indent, name, atom_value(value), name))
    return "\n".join(parts)


def atom_entry(base, entity, obj, key):
    return ("<entry>\n  <id>%s/%s(%s)</id>\n  <category term=\"StandardODATA.%s\" scheme="
            "\"http://schemas.microsoft.com/ado/2007/08/dataservices/scheme\"/>\n"
            "  <title type=\"text\"/>\n  <updated>%s</updated>\n  <author/>\n"
            "  <content type=\"application/xml\">\n    <m:properties>\n%s\n    </m:properties>\n"
            "  </content>\n</entry>" % (escape(base), escape(entity.name), escape(key),
                                        escape(entity.name), now_z(),
                                        atom_properties(entity, obj)))


def atom_feed(base, entity, entries, count=None):
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:d="%s" xmlns:m="%s" xml:base=%s>\n<id>%s/%s</id>\n'
            '<title type="text">%s</title>\n<updated>%s</updated>\n' % (
                NS_D, NS_M, quoteattr(base + "/"), escape(base), escape(entity.name),
                escape(entity.name), now_z()))
    if count is not None:
        head += "<m:count>%d</m:count>\n" % count
    return (head + "\n".join(entries) + "\n</feed>\n").encode()


def atom_single(base, entity, obj, key):
    entry = atom_entry(base, entity, obj, key)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + entry.replace(
        "<entry>", '<entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="%s" xmlns:m="%s" '
        'xml:base=%s>' % (NS_D, NS_M, quoteattr(base + "/")), 1) + "\n").encode()


def now_z():
    return datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_key(entity, row):
    if entity.kind == "Tabular":
        return "Ref_Key=guid'%s',LineNumber=%s" % (row["Ref_Key"], row["LineNumber"])
    return "guid'%s'" % row["Ref_Key"]


# -- service document and $metadata
def service_json(base, names):
    return ENCODE({"odata.metadata": base + "/$metadata",
                   "value": [{"name": n, "url": n} for n in names]}).encode()


def service_atom(base, names):
    cols = "".join('<collection href=%s><atom:title>%s</atom:title></collection>' % (
        quoteattr(n), escape(n)) for n in names)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<service xmlns="http://www.w3.org/2007/app" '
            'xmlns:atom="http://www.w3.org/2005/Atom" xml:base=%s><workspace>'
            '<atom:title>Default</atom:title>%s</workspace></service>\n' % (
                quoteattr(base + "/"), cols)).encode()


def metadata(entities):
    """CSDL v3 as 1C emits it: EntityType per set (composite X_Type properties after the
    tabular sections), a _RowType ComplexType per tabular section, Associations for the
    references into published sets, and the EntityContainer."""
    published = {e.name for e in entities}
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<edmx:Edmx xmlns:edmx="%s" Version="1.0">' % NS_EDMX,
           '  <edmx:DataServices xmlns:m="%s" m:DataServiceVersion="3.0" '
           'm:MaxDataServiceVersion="3.0">' % NS_M,
           '    <Schema xmlns="%s" Namespace="StandardODATA">' % NS_EDM]
    complex_types, associations = [], []
    for e in entities:
        open_type = ' OpenType="true"' if any(p.kind == "composite" for p in e.props) else ""
        out.append('      <EntityType Name=%s%s>' % (quoteattr(e.name), open_type))
        out.append("        <Key>")
        out += ['          <PropertyRef Name="%s"/>' % k for k in e.key]
        out.append("        </Key>")
        for p in e.meta_props:
            out.append('        <Property Name=%s Type=%s Nullable="%s"/>' % (
                quoteattr(p.name), quoteattr(p.edm(e.name)),
                "false" if p.name in e.key else "true"))
            if p.kind == "tab":
                complex_types.append(("%s_%s_RowType" % (e.name, p.name), p.columns))
        for nav, target in e.nav_props(published):
            rel = "%s_%s" % (e.name, nav)
            out.append('        <NavigationProperty Name=%s Relationship=%s FromRole="Begin" '
                       'ToRole="End"/>' % (quoteattr(nav), quoteattr("StandardODATA." + rel)))
            associations.append((rel, e.name, target))
        out.append("      </EntityType>")
    for name, cols in complex_types:
        out.append('      <ComplexType Name=%s>' % quoteattr(name))
        out += ['        <Property Name=%s Type=%s Nullable="true"/>' % (
            quoteattr(c.name), quoteattr(c.edm(name))) for c in cols]
        out.append("      </ComplexType>")
    for rel, source, target in associations:
        out += ['      <Association Name=%s>' % quoteattr(rel),
                '        <End Role="Begin" Type=%s Multiplicity="*"/>' % quoteattr(
                    "StandardODATA." + source),
                '        <End Role="End" Type=%s Multiplicity="0..1"/>' % quoteattr(
                    "StandardODATA." + target),
                "      </Association>"]
    out.append('      <EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">')
    out += ['        <EntitySet Name=%s EntityType=%s/>' % (
        quoteattr(e.name), quoteattr("StandardODATA." + e.name)) for e in entities]
    for e in entities:
        if e.kind != "Document":
            continue
        for fn in ("Post", "Unpost"):
            out += ['        <FunctionImport Name="%s" IsBindable="true" IsSideEffecting="true">'
                    % fn,
                    '          <Parameter Name="bindingParameter" Type=%s/>' % quoteattr(
                        "StandardODATA." + e.name),
                    '          <Parameter Name="PostingModeOperational" Type="Edm.Boolean"/>',
                    "        </FunctionImport>"]
    out += ["      </EntityContainer>", "    </Schema>", "  </edmx:DataServices>",
            "</edmx:Edmx>", ""]
    return "\n".join(out).encode()
