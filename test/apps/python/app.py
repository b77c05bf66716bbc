"""A stdlib-only Python app: JSON, SQLite and a little arithmetic."""
import json
import os
import sqlite3
import statistics

db = sqlite3.connect(":memory:")
db.execute("create table t (x integer)")
db.executemany("insert into t values (?)", [(i,) for i in range(1, 11)])
values = [r[0] for r in db.execute("select x from t order by x")]
report = {
    "app": os.environ.get("APP_NAME", "?"),
    "sum": sum(values),
    "median": statistics.median(values),
}
print(json.dumps(report, sort_keys=True))
