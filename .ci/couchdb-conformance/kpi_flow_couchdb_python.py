"""KPI flow through couchdb-python (CouchDB==1.2): bulk-save blobs, read a time range, follow _changes.

Usage: python kpi_flow_couchdb_python.py SERVER_URL
Creates its own database, asserts everything it reads, deletes the database and exits 1 on the
first mismatch.
"""

import sys
import threading
import time

import couchdb

from kpi_common import BLOB_COUNT, BASE_MILLISECONDS, STEP_MILLISECONDS, check, persona_blob
from kpi_common import range_key, unique_database_name


def save_blobs(db):
    blobs = [persona_blob(index) for index in range(BLOB_COUNT)]
    results = db.update(blobs)
    check(len(results) == BLOB_COUNT, f"_bulk_docs returned {len(results)} results for {BLOB_COUNT} blobs")
    for (success, doc_id, rev), blob in zip(results, blobs):
        check(success is True, f"_bulk_docs did not store {blob['_id']}: {rev}")
        check(doc_id == blob["_id"], f"_bulk_docs returned id {doc_id} for {blob['_id']}")
        check(str(rev).startswith("1-"), f"first revision of {doc_id} is {rev}, expected 1-...")
    return blobs


def read_range_through_all_docs(db, blobs):
    # Blobs 10..29 form the half-open range [t0, t1).
    t0 = BASE_MILLISECONDS + 10 * STEP_MILLISECONDS
    t1 = BASE_MILLISECONDS + 30 * STEP_MILLISECONDS
    expected = blobs[10:30]
    rows = list(db.view("_all_docs", startkey=range_key(t0), endkey=range_key(t1),
                        inclusive_end=False, include_docs=True))
    check([row.id for row in rows] == [blob["_id"] for blob in expected],
          f"_all_docs [t0, t1) returned {[row.id for row in rows]}")
    for row, blob in zip(rows, expected):
        body = {key: value for key, value in row.doc.items() if key not in ("_id", "_rev")}
        # couchdb-python's update() writes the new _rev into each saved dict.
        stored = {key: value for key, value in blob.items() if key not in ("_id", "_rev")}
        check(body == stored, f"_all_docs include_docs returned {body} for {blob['_id']}")

    newest = list(db.view("_all_docs", startkey="9999999999999", descending=True, limit=5))
    check([row.id for row in newest] == [blob["_id"] for blob in reversed(blobs[-5:])],
          f"_all_docs descending limit=5 returned {[row.id for row in newest]}")


def read_range_through_find(db, blobs):
    db.index()[None, "timestamp"] = [{"timestamp": "asc"}]
    t0 = BASE_MILLISECONDS + 5 * STEP_MILLISECONDS
    t1 = BASE_MILLISECONDS + 15 * STEP_MILLISECONDS
    query = {
        "selector": {"timestamp": {"$gte": t0, "$lte": t1}},
        "sort": [{"timestamp": "asc"}],
        "fields": ["_id", "timestamp"],
        "limit": 100,
    }
    docs = list(db.find(query))
    expected = [{"_id": blob["_id"], "timestamp": blob["timestamp"]} for blob in blobs[5:16]]
    check([dict(doc) for doc in docs] == expected, f"_find [t0, t1] returned {[dict(doc) for doc in docs]}")


def follow_changes(db, blobs):
    changes = db.changes(since=0)
    seen = {row["id"] for row in changes["results"]}
    check({blob["_id"] for blob in blobs} <= seen, "_changes since=0 misses some saved blobs")
    check("last_seq" in changes and "pending" in changes, f"_changes answer lacks last_seq or pending: {list(changes)}")

    late = persona_blob(BLOB_COUNT)

    def save_late_blob():
        time.sleep(0.5)
        db.save(late)

    writer = threading.Thread(target=save_late_blob)
    writer.start()
    received = None
    # timeout=15000 ends the feed with a last_seq line if the late blob never shows up.
    for change in db.changes(feed="continuous", since=changes["last_seq"], timeout=15000, include_docs=True):
        if change.get("id") == late["_id"]:
            received = change
            break
    writer.join()
    check(received is not None, f"continuous _changes did not deliver {late['_id']} within 15 s")
    check(received["doc"]["timestamp"] == late["timestamp"], f"continuous _changes sent {received}")


def main():
    server = couchdb.Server(sys.argv[1])
    name = unique_database_name("couchdb-python")
    db = server.create(name)
    try:
        blobs = save_blobs(db)
        read_range_through_all_docs(db, blobs)
        read_range_through_find(db, blobs)
        follow_changes(db, blobs)
    finally:
        server.delete(name)
    print("KPI flow through couchdb-python passed")


if __name__ == "__main__":
    main()
