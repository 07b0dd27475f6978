"""Test control of the 1C OData double: shared state (knobs, faults, counters), what
POST /_control does, and the error pages of the web server in front of 1C. The keys are
listed in onec_odata.py's docstring and tests/doubles/onec/README.md. Standard library only.
"""

import collections
import re
import threading
import time

from onec_data import Table, bump_version, data_version
from onec_generate import v1_guid


class State:
    """Knobs, faults and counters shared by the handler threads."""

    def __init__(self, delay_first):
        self.lock = threading.Lock()
        self.data_lock = threading.RLock()  # queries and control changes of the store
        self.delay_first = delay_first
        self.reset()

    def reset(self):
        self.fail = self.delay = self.exit_after = None
        self.bom = True
        self.cache_bytes = 0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": 0, "by_set": {}, "urls": collections.deque(maxlen=100),
                      "auth_failures": 0, "by_status": {}, "faults": 0}

    def arrived(self, target, set_name):
        """Counts a data request; returns (exit now, seconds to sleep, fault to inject)."""
        with self.lock:
            s = self.stats
            s["requests"] += 1
            s["urls"].append(target)
            if set_name:
                s["by_set"][set_name] = s["by_set"].get(set_name, 0) + 1
            if self.exit_after is not None:
                if self.exit_after <= 0:
                    return True, 0, None
                self.exit_after -= 1
            sleep = 0.0
            if self.delay_first:
                sleep, self.delay_first = self.delay_first, 0
            if self.delay:
                sleep += float(self.delay.get("seconds", 1))
                if self.delay.get("count") is not None:
                    self.delay["count"] -= 1
                    if self.delay["count"] <= 0:
                        self.delay = None
            fault = None
            f = self.fail
            if f and (not f.get("match") or f["match"] in target):
                if f["after"] > 0:
                    f["after"] -= 1
                else:
                    fault = dict(f)
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.fail = None
                    s["faults"] += 1
            return False, sleep, fault

    def answered(self, status):
        with self.lock:
            key = str(status)
            self.stats["by_status"][key] = self.stats["by_status"].get(key, 0) + 1

    def snapshot(self):
        with self.lock:
            d = dict(self.stats)
            d["urls"] = list(self.stats["urls"])
            d["by_set"] = dict(d["by_set"])
            d["by_status"] = dict(d["by_status"])
            return d


class NotFound(LookupError):
    pass


def apply_control(store, state, doc):
    known = {"reset", "reset_stats", "bom", "upsert", "delete", "mark_deleted", "fail", "delay",
             "exit_after"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ValueError("unknown control keys: %s" % ", ".join(unknown))
    result = {}
    if doc.get("reset"):
        store.reset()
        with state.lock:
            state.reset()
    if doc.get("reset_stats"):
        with state.lock:
            state.reset_stats()
    if "bom" in doc:
        state.bom = bool(doc["bom"])
    if "upsert" in doc:
        items = doc["upsert"] if isinstance(doc["upsert"], list) else [doc["upsert"]]
        done = [upsert(store, item["set"], item["row"]) for item in items]
        result.update(done[-1] if len(done) == 1 else {"rows": done})
    for action in ("delete", "mark_deleted"):
        if action in doc:
            table = writable(store, doc[action]["set"])
            ref = doc[action]["ref"].lower()
            row = table.get(ref)
            if row is None:
                raise NotFound("%s: no %s(%s)" % (action, table.entity.name, ref))
            if action == "delete":
                table.remove(ref)
            else:
                row = dict(row, DeletionMark=True, DataVersion=bump_version(row["DataVersion"]))
                table.put(row)
                result.update({"ref": ref, "DataVersion": row["DataVersion"]})
    if "fail" in doc:
        f = doc["fail"]
        if f:
            f = dict({"status": 500, "count": 1, "after": 0, "kind": "json", "match": None}, **f)
            if f["kind"] not in ("json", "html", "truncate", "close"):
                raise ValueError("fail.kind: json, html, truncate or close")
            if f["kind"] == "truncate" and "status" not in doc["fail"]:
                f["status"] = 200
            f["status"], f["count"], f["after"] = int(f["status"]), int(f["count"]), \
                int(f["after"])
        with state.lock:
            state.fail = f or None
    if "delay" in doc:
        with state.lock:
            state.delay = dict(doc["delay"]) if doc["delay"] else None
    if "exit_after" in doc:
        with state.lock:
            state.exit_after = None if doc["exit_after"] is None else int(doc["exit_after"])
    return result


def writable(store, set_name):
    table = store.tables.get(set_name)
    if not isinstance(table, Table):
        raise ValueError("no entity set %r (tabular sections change through their owner)"
                         % set_name)
    return table


REF_COUNTER = [0]


def upsert(store, set_name, row):
    table = writable(store, set_name)
    if not isinstance(row, dict):
        raise ValueError("upsert.row must be an object")
    row = dict(row)
    if "Ref_Key" not in row:  # a new object gets a time-based ref like 1C makes
        REF_COUNTER[0] += 1
        row["Ref_Key"] = v1_guid(int(time.time()), 9_999_000 + REF_COUNTER[0] % 1000, 0)
    ref = str(row["Ref_Key"]).lower()
    row["Ref_Key"] = ref
    old = table.get(ref) if re.match(r"^[0-9a-f-]{36}$", ref) else None
    merged = dict(old or {}, **row)
    if old is not None and merged.get("DataVersion") == old["DataVersion"]:
        merged["DataVersion"] = bump_version(old["DataVersion"])
    elif "DataVersion" not in merged:
        merged["DataVersion"] = data_version(1)
    full = store.normalize(set_name, merged, "control upsert")
    table.put(full)
    return {"ref": ref, "DataVersion": full["DataVersion"]}


def iis_page(status):
    """What a web server in front of 1C answers by itself (IIS, or Apache for 503)."""
    titles = {400: "Bad Request", 401: "Unauthorized: Access is denied due to invalid "
              "credentials.", 404: "File or directory not found.",
              500: "Internal server error.", 502: "Web server received an invalid response "
              "while acting as a gateway or proxy server.", 503: "Service Unavailable"}
    title = titles.get(status, "Error")
    if status == 503:
        return ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
                '<title>503 Service Unavailable</title>\n</head><body>\n'
                '<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service '
                'your request due to maintenance downtime or capacity problems. Please try '
                'again later.</p>\n<hr>\n<address>Apache/2.4.57 (Debian) Server at 1c.example.'
                'local Port 80</address>\n</body></html>\n').encode()
    return ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<meta http-equiv="Content-Type"'
            ' content="text/html; charset=iso-8859-1"/>\n<title>%d - %s</title>\n</head>\n'
            '<body>\n<div id="header"><h1>Server Error</h1></div>\n<div id="content">\n'
            ' <div class="content-container"><fieldset>\n  <h2>%d - %s</h2>\n </fieldset></div>\n'
            '</div>\n</body>\n</html>\n' % (status, title, status, title)).encode()
