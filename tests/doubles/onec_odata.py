#!/usr/bin/env python3
"""A local double of 1C:Enterprise 8.3's standard OData v3 interface (onec.md §1, §5.2).

  python3 onec_odata.py --port 0 [--profile trade|accounting] [--user NAME] [--password-file F]
      [--generate-docs N] [--generate-clients M] [--generate-users K] [--seed S] [--now DATE]
      [--delay-first SECONDS] [--cache-mb MB] [--verbose]

Prints the port on the first line of stdout and serves 127.0.0.1 (threaded HTTP/1.1, keep-alive)
under /<profile>/odata/standard.odata/: the service document, $metadata, <Set>, <Set>/$count,
<Set>(guid'…') with $format/$select/$filter/$orderby/$top/$skip/$inlinecount/allowedOnly.
Path and query are percent-decoded before routing ($ and %24 both work; '+' is not a space).
The data: tests/doubles/onec/ (see its README.md) plus seeded generated volume.

Test control, not part of 1C:
  POST /_control  JSON object with any of
    {"reset": true}                     base data, faults, counters and knobs back to the start
    {"reset_stats": true}               counters only
    {"bom": false}                      no UTF-8 BOM before JSON bodies and $count (default true)
    {"upsert": {"set": S, "row": {...}}}        add, or merge into the row with that Ref_Key; a
                                        missing or unchanged DataVersion is bumped (a list of
                                        such objects works too); answers {"ref", "DataVersion"}
    {"delete": {"set": S, "ref": G}}            physical deletion
    {"mark_deleted": {"set": S, "ref": G}}      DeletionMark = true and a new DataVersion
    {"fail": {"status": 500, "count": 1, "after": 0, "kind": "json", "match": null,
              "code": null, "message": null}}   after the next `after` data requests (those
                                        whose decoded target contains `match`), `count` fail:
                                        json = odata.error, html = a web server's error page,
                                        truncate = full Content-Length but half the body, then
                                        close (status 200 = the real answer cut), close = the
                                        connection is closed with no answer. null clears it.
    {"delay": {"seconds": S, "count": K}}       sleep before answering (count null = all)
    {"exit_after": N}                   os._exit(3) when the (N+1)-th data request arrives
  GET /_stats  {"requests", "by_set", "urls" (last 100 decoded targets), "auth_failures",
                "by_status", "faults"}
"""

import argparse
import base64
import datetime
import json
import os
import re
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import onec_format as fmt  # noqa: E402
from onec_control import State, apply_control, iis_page  # noqa: E402
from onec_data import DataError, Store, Table, sort_key  # noqa: E402
from onec_generate import generate  # noqa: E402
from onec_query import (ODataError, compile_filter, compile_orderby,  # noqa: E402
                        compile_select, not_found_segment)

BOM = b"\xef\xbb\xbf"
NOT_FOUND = "Экземпляр сущности не найден по переданному ключу."
INTERNAL = "Произошла внутренняя ошибка OData сервиса. Обратитесь к администратору базы."
KNOWN_OPTIONS = {"$format", "$select", "$filter", "$orderby", "$top", "$skip", "$inlinecount"}


class Request:
    """A decoded data request: path after the publication, query options, output format."""

    def __init__(self, handler, path, query):
        self.handler, self.path = handler, path
        self.options = {}
        for part in query.split("&") if query else ():
            if part:
                name, _, value = part.partition("=")
                self.options[unquote(name)] = unquote(value)
        host = handler.headers.get("Host") or "127.0.0.1:%d" % handler.server.server_address[1]
        self.base = "http://%s%s" % (host, handler.prefix)
        self.json, self.meta = self.negotiate()

    def negotiate(self):
        """(JSON?, metadata level): $format wins over Accept; the default is Atom (§1.2)."""
        f = self.options.get("$format")
        if f is None:
            accept = (self.handler.headers.get("Accept") or "").lower()
            if "application/json" not in accept:
                return False, None
            f = accept[accept.index("application/json"):].split(",")[0]
        f = f.strip().lower().replace(" ", "")
        if f in ("atom", "xml", "application/atom+xml", "application/xml"):
            return False, None
        if f == "json" or f.startswith("application/json"):
            level = "minimalmetadata"
            m = re.search(r";odata=([a-z]+)", f)
            if m:
                level = m.group(1)
            if level not in ("minimalmetadata", "nometadata", "fullmetadata"):
                raise ODataError(400, 3, "Представление %s не поддерживается" % f)
            return True, level
        raise ODataError(400, 3, "Представление %s не поддерживается" % f)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "Microsoft-IIS/10.0"
    store = state = args = None
    prefix = ""
    metadata_xml = b""
    user = password = None

    def version_string(self):
        return self.server_version

    def log_message(self, f, *a):
        if self.args.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), f % a))

    # -- sending
    def send(self, status, body, content_type, headers=(), truncate=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("DataServiceVersion", "3.0")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.state.answered(status)
        if self.command == "HEAD":
            return
        if truncate:
            self.wfile.write(body[:len(body) // 2])
            self.drop()
            return
        self.wfile.write(body)

    def drop(self):
        """Closes the connection at once (a crashed worker, a proxy reset)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_json(self, status, body, headers=(), truncate=False):
        self.send(status, (BOM if self.state.bom else b"") + body,
                  "application/json;charset=utf-8", headers, truncate)

    def send_error_doc(self, req_json, status, code, message, headers=(), truncate=False):
        if req_json:
            self.send_json(status, fmt.json_error(code, message), headers, truncate)
        else:
            self.send(status, fmt.xml_error(code, message), "application/xml;charset=utf-8",
                      headers, truncate)

    # -- dispatch
    def handle_any(self):
        # http.server reads the request line as Latin-1; raw UTF-8 (which IIS accepts) is
        # restored here, %XX escapes are decoded (as UTF-8) after the split
        raw_path, _, query = self.path.encode("latin-1", "replace").decode(
            "utf-8", "replace").partition("?")
        path = unquote(raw_path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path == "/_control" and self.command == "POST":
            return self.control(body)
        if path == "/_stats" and self.command == "GET":
            return self.send(200, json.dumps(self.state.snapshot(), ensure_ascii=False).encode(),
                             "application/json")
        target = path + ("?" + unquote(query) if query else "")
        rest = path[len(self.prefix):] if path.startswith(self.prefix) else None
        set_name = None
        if rest is not None:
            m = re.match(r"^/([^/(]+)", rest)
            set_name = m.group(1) if m else None
        exit_now, sleep, fault = self.state.arrived(target, set_name)
        if exit_now:
            sys.stderr.write("onec_odata: exit_after reached, exiting\n")
            sys.stderr.flush()
            os._exit(3)
        if sleep:
            time.sleep(sleep)
        wants_json = "json" in (query.lower() + (self.headers.get("Accept") or "").lower())
        if fault and fault["kind"] == "close":
            return self.drop()
        if fault and fault["kind"] != "truncate":
            return self.inject(fault, wants_json)
        truncate = bool(fault)
        if fault and fault["status"] != 200:
            return self.inject(fault, wants_json, truncate=True)
        if rest is None or not (rest == "" or rest.startswith("/")):
            return self.send(404, iis_page(404), "text/html", truncate=truncate)
        if not self.authorized():
            with self.state.lock:
                self.state.stats["auth_failures"] += 1
            return self.send_error_doc(wants_json, 401, 20, "Нарушение прав доступа!",
                                       [("WWW-Authenticate", 'Basic realm="1C"')], truncate)
        try:
            req = Request(self, rest, query)
        except ODataError as e:
            return self.send_error_doc(wants_json, e.status, e.code, e.message,
                                       truncate=truncate)
        try:
            self.route(req, truncate)
        except ODataError as e:
            self.send_error_doc(req.json, e.status, e.code, e.message, truncate=truncate)
        except Exception:  # a bug in the double: say so instead of dropping the connection
            traceback.print_exc()
            self.send_error_doc(req.json, 500, -1, INTERNAL + " (ошибка тестового двойника: "
                                "см. его stderr)", truncate=truncate)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_MERGE = handle_any

    def authorized(self):
        if self.user is None:
            return True
        scheme, _, credential = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            text = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad base64, or not UTF-8 (a cp1251 login fails as on IIS)
            return False
        user, sep, password = text.partition(":")
        return bool(sep) and user == self.user and password == self.password

    def inject(self, fault, wants_json, truncate=False):
        status = fault["status"]
        headers = [("WWW-Authenticate", 'Basic realm="1C"')] if status == 401 else []
        if fault["kind"] == "html":
            return self.send(status, iis_page(status), "text/html", headers)
        code = fault.get("code")
        if code is None:
            code = {401: 20, 400: 14, 404: 9}.get(status, -1)
        message = fault.get("message") or {401: "Нарушение прав доступа!",
                                           400: "Ошибка при разборе опции запроса $filter",
                                           404: NOT_FOUND}.get(status, INTERNAL)
        self.send_error_doc(wants_json, status, code, message, headers, truncate)

    # -- OData
    def route(self, req, truncate):
        if self.command not in ("GET", "HEAD"):
            raise ODataError(405, 0, "Тестовый двойник только читает данные: метод %s не "
                                     "поддерживается" % self.command)
        rest = req.path
        if rest in ("", "/"):
            names = list(self.store.entities)
            if req.json:
                return self.send_json(200, fmt.service_json(req.base, names), truncate=truncate)
            return self.send(200, fmt.service_atom(req.base, names),
                             "application/atomsvc+xml;charset=utf-8", truncate=truncate)
        rest = rest[1:]
        if rest == "$metadata":
            return self.send(200, self.metadata_xml, "application/xml;charset=utf-8",
                             truncate=truncate)
        m = re.match(r"^([^/(]+)(?:\((.*)\))?(?:/(.*))?$", rest)
        if not m:
            raise ODataError(400, 6, "Неверный URL")
        name, key, sub = m.groups()
        table = self.store.tables.get(name)
        if table is None:
            raise ODataError(404, 6, "Сегмент пути %s не найден!" % name)
        for option in req.options:
            if option.startswith("$") and option not in KNOWN_OPTIONS:
                if option == "$expand":
                    raise ODataError(400, 0, "$expand тестовым двойником не реализован")
                raise ODataError(400, 14, "Неизвестная опция запроса %s" % option)
        if key is not None:
            if sub:
                raise ODataError(400, 6, "Неверный сегмент пути")
            return self.single(req, table, key, truncate)
        if sub == "$count":
            return self.count(req, table, truncate)
        if sub:
            raise ODataError(400, 6, "Неверный сегмент пути")
        return self.collection(req, table, truncate)

    def single(self, req, table, key, truncate):
        e = table.entity
        select = compile_select(e, req.options.get("$select"))
        if e.kind == "Tabular":
            m = re.match(r"^Ref_Key=guid'([0-9a-fA-F-]{36})',\s*LineNumber=(\d+)L?$", key)
            if not m:
                raise not_found_segment(key)
            with self.state.data_lock:
                row = table.get(m.group(1).lower(), int(m.group(2)))
        else:
            m = re.match(r"^(?:Ref_Key=)?guid'([0-9a-fA-F-]{36})'$", key)
            if not m:
                raise not_found_segment(key)
            with self.state.data_lock:
                row = table.get(m.group(1).lower())
        if row is None:
            raise ODataError(404, 9, NOT_FOUND)
        obj = fmt.select_row(self.store, e, row, select)
        if req.json:
            meta = None if req.meta == "nometadata" else \
                "%s/$metadata#%s/@Element" % (req.base, e.name)
            return self.send_json(200, fmt.json_entity(meta, obj), truncate=truncate)
        self.send(200, fmt.atom_single(req.base, e, obj, key),
                  "application/atom+xml;type=entry;charset=utf-8", truncate=truncate)

    def count(self, req, table, truncate):
        text = req.options.get("$filter")
        with self.state.data_lock:
            if text is None:
                n = len(table)
            else:
                pred, (lo, hi) = compile_filter(table.entity, text)
                n = sum(1 for _, row in table.scan(*bounds(lo, hi), lazy=True)
                        if pred is None or pred(row))
        body = (BOM if self.state.bom else b"") + str(n).encode()
        self.send(200, body, "text/plain;charset=utf-8", truncate=truncate)

    def collection(self, req, table, truncate):
        e, o = table.entity, req.options
        select = compile_select(e, o.get("$select"))
        pred, (lo, hi) = compile_filter(e, o["$filter"]) if "$filter" in o else (None,
                                                                                (None, None))
        order = compile_orderby(e, o.get("$orderby"))
        top, skip = number_option(o, "$top"), number_option(o, "$skip") or 0
        inline = o.get("$inlinecount", "none")
        if inline not in ("none", "allpages"):
            raise ODataError(400, 14, "Ошибка при разборе опции запроса $inlinecount")
        counting = inline == "allpages"
        if counting:
            top, skip = None, 0  # 1C ignores $top and $skip with $inlinecount (onec.md §1.3)
        nav = fmt.nav_link_map(e, self.store.entities) if (
            select is None and req.json and req.meta != "nometadata"
            and isinstance(table, Table)) else None
        if req.json:
            cache = self.row_cache(table, o.get("$select"), nav)

            def out(ck, row):
                if cache is not None:
                    data = cache.get(ck)
                    if data is None:
                        data = fmt.ENCODE(fmt.select_row(self.store, e, row, select, nav))
                        data = data.encode()
                        if self.state.cache_bytes < self.args.cache_mb << 20:
                            cache[ck] = data
                            self.state.cache_bytes += len(data)
                    return data
                return fmt.ENCODE(fmt.select_row(self.store, e, row, select, nav)).encode()
        else:
            def out(ck, row):
                obj = fmt.select_row(self.store, e, row, select)
                return fmt.atom_entry(req.base, e, obj, fmt.entry_key(e, row))
        lazy = select is not None and len(select) <= 8
        with self.state.data_lock:
            rows, matched = run(table, pred, lo, hi, order, top, skip, counting, out, lazy)
        count = matched if counting else None
        if req.json:
            meta = None if req.meta == "nometadata" else "%s/$metadata#%s" % (req.base, e.name)
            return self.send_json(200, fmt.json_collection(meta, rows, count), truncate=truncate)
        self.send(200, fmt.atom_feed(req.base, e, rows, count),
                  "application/atom+xml;type=feed;charset=utf-8", truncate=truncate)

    def row_cache(self, table, select_text, nav):
        if table.cache is None or "Presentation" in (select_text or ""):
            return None  # a presentation changes with the row it names
        key = (select_text, bool(nav))
        with self.state.data_lock:
            return table.cache.setdefault(key, {})

    # -- test control
    def control(self, body):
        try:
            doc = json.loads(body or b"{}")
            if not isinstance(doc, dict):
                raise ValueError("the control body must be a JSON object")
            with self.state.data_lock:
                result = apply_control(self.store, self.state, doc)
        except (ValueError, KeyError, TypeError, DataError) as e:
            msg = e.args[0] if e.args else str(e)
            return self.send(400, json.dumps({"error": str(msg)}, ensure_ascii=False).encode(),
                             "application/json")
        except LookupError as e:
            return self.send(404, json.dumps({"error": str(e)}, ensure_ascii=False).encode(),
                             "application/json")
        result["ok"] = True
        self.send(200, json.dumps(result, ensure_ascii=False).encode(), "application/json")


def bounds(lo, hi):
    return (lo[0] if lo else None, lo[1] if lo else False, hi[0] if hi else None,
            hi[1] if hi else False)


def number_option(options, name):
    text = options.get(name)
    if text is None:
        return None
    if not re.match(r"^\d+$", text.strip(" ")):
        raise ODataError(400, 14, "Ошибка при разборе опции запроса %s" % name)
    return int(text)


def run(table, pred, lo, hi, order, top, skip, counting, out, lazy=False):
    """(serialized rows, number of rows matching the filter). In ref order the scan starts at
    the keyset bound and stops after $top rows unless counting; other orders sort all matches."""
    by_ref = order is None or len(order) == 1 and order[0][0].name == "Ref_Key"
    if by_ref:
        reverse = bool(order and order[0][1])
        rows, matched = [], 0
        for ck, row in table.scan(*bounds(lo, hi), reverse=reverse, lazy=lazy):
            if pred is not None and not pred(row):
                continue
            matched += 1
            if skip:
                skip -= 1
                continue
            if top is not None and len(rows) >= top:
                if counting:
                    continue
                break
            rows.append(out(ck, row))
        return rows, matched
    found = [(ck, row) for ck, row in table.scan(*bounds(lo, hi), lazy=lazy)
             if pred is None or pred(row)]
    for prop, desc in reversed(order):
        name = prop.name
        if prop.is_guid:
            found.sort(key=lambda item: sort_key(item[1][name]), reverse=desc)
        else:
            found.sort(key=lambda item: item[1][name], reverse=desc)
    chosen = found[skip:] if top is None else found[skip:skip + top]
    return [out(ck, row) for ck, row in chosen], len(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--profile", choices=("trade", "accounting"), default="trade",
                        help="trade: УТ 11 at /trade/…; accounting: БП 3.0 at /accounting/…")
    parser.add_argument("--user", help="require HTTP Basic with this user (UTF-8)")
    parser.add_argument("--password-file", help="the password, first line of this file")
    parser.add_argument("--generate-docs", type=int, default=0, metavar="N",
                        help="N more documents over the profile's document sets and the last "
                        "300 days")
    parser.add_argument("--generate-clients", type=int, default=0, metavar="M",
                        help="M more clients with phones (trade: a Партнер and a Контрагент "
                        "each)")
    parser.add_argument("--generate-users", type=int, default=0, metavar="K",
                        help="K more routable users (the generated documents use them too)")
    parser.add_argument("--seed", default="1", help="the generated data depend on it (and on "
                        "--now)")
    parser.add_argument("--now", help="pin the clock (yyyy-mm-ddThh:mm:ss, naive local)")
    parser.add_argument("--delay-first", type=float, default=0.0, metavar="SECONDS",
                        help="the first data request waits this long (1C starting a session)")
    parser.add_argument("--cache-mb", type=int, default=256,
                        help="memory for serialized rows reused by later pages and runs")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args()
    now = datetime.datetime.fromisoformat(args.now) if args.now else \
        datetime.datetime.now().replace(microsecond=0)
    try:
        store = Store(args.profile, now)
        generate(store, args.generate_docs, args.generate_clients, args.generate_users,
                 args.seed)
        store.freeze()
    except DataError as e:
        sys.exit("onec_odata: %s" % e)
    Handler.store, Handler.args = store, args
    Handler.state = State(args.delay_first)
    Handler.prefix = "/%s/odata/standard.odata" % args.profile
    Handler.metadata_xml = fmt.metadata(list(store.entities.values()))
    if args.user is not None:
        Handler.user = args.user
        Handler.password = ""
        if args.password_file:
            with open(args.password_file, encoding="utf-8") as f:
                Handler.password = f.read().split("\n")[0].rstrip("\r")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
