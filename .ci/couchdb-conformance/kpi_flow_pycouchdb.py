"""KPI flow through pycouchdb 1.17.1: bulk-save blobs, read a time range, follow _changes.

Usage: python kpi_flow_pycouchdb.py SERVER_URL
Creates its own database, asserts everything it reads, deletes the database and exits 1 on the
first mismatch.
"""

import json
import sys
import threading
import time

import pycouchdb
from pycouchdb import exceptions, utils

from kpi_common import BLOB_COUNT, BASE_MILLISECONDS, STEP_MILLISECONDS, check, persona_blob
from kpi_common import range_key, unique_database_name


def post_json(db, path, body):
    _, result = db.resource.post(path, data=utils.force_bytes(json.dumps(body)))
    return result


def save_blobs(db):
    blobs = [persona_blob(index) for index in range(BLOB_COUNT)]
    saved = db.save_bulk(blobs)
    check(len(saved) == BLOB_COUNT, f"save_bulk returned {len(saved)} documents for {BLOB_COUNT} blobs")
    for document, blob in zip(saved, blobs):
        check(document["_id"] == blob["_id"], f"save_bulk returned id {document['_id']} for {blob['_id']}")
        check(document.get("_rev", "").startswith("1-"), f"first revision of {blob['_id']} is {document.get('_rev')}")
    check(len(db) == BLOB_COUNT, f"doc_count is {len(db)}, expected {BLOB_COUNT}")
    return blobs


def read_range_through_all_docs(db, blobs):
    # Blobs 20..39 form the half-open range [t0, t1); "false" because requests sends False as "False".
    t0 = BASE_MILLISECONDS + 20 * STEP_MILLISECONDS
    t1 = BASE_MILLISECONDS + 40 * STEP_MILLISECONDS
    expected = blobs[20:40]
    rows = db.all(startkey=range_key(t0), endkey=range_key(t1), inclusive_end="false", as_list=True)
    check([row["id"] for row in rows] == [blob["_id"] for blob in expected],
          f"_all_docs [t0, t1) returned {[row['id'] for row in rows]}")
    for row, blob in zip(rows, expected):
        check(row["doc"]["timestamp"] == blob["timestamp"], f"_all_docs row {row} does not match {blob['_id']}")
        check(row["doc"]["event_stream"] == blob["event_stream"], f"_all_docs row {row} lost event_stream")


def read_range_through_find(db, blobs):
    post_json(db, "_index", {"index": {"fields": ["timestamp"]}, "name": "timestamp", "type": "json"})
    t0 = BASE_MILLISECONDS + 30 * STEP_MILLISECONDS
    t1 = BASE_MILLISECONDS + 53 * STEP_MILLISECONDS
    query = {
        "selector": {"$and": [{"timestamp": {"$gt": t0}}, {"timestamp": {"$lt": t1}}]},
        "sort": [{"timestamp": "asc"}],
        "limit": 7,
    }
    # Page with the bookmark until an empty page; blobs 31..52 are 22 documents, so 4 pages.
    pages = []
    while True:
        result = post_json(db, "_find", query)
        check(isinstance(result.get("bookmark"), str), f"_find answer lacks a bookmark: {list(result)}")
        if not result["docs"]:
            break
        pages.append(result["docs"])
        check(len(pages) <= 10, "_find bookmark does not advance")
        query["bookmark"] = result["bookmark"]
    check([len(page) for page in pages] == [7, 7, 7, 1], f"_find page sizes are {[len(page) for page in pages]}")
    found = [doc["_id"] for page in pages for doc in page]
    check(found == [blob["_id"] for blob in blobs[31:53]], f"_find (t0, t1) returned {found}")


def follow_changes(db, blobs):
    last_seq, changes = db.changes_list(since=0)
    check({blob["_id"] for blob in blobs} <= {row["id"] for row in changes},
          "_changes since=0 misses some saved blobs")

    late = persona_blob(BLOB_COUNT)
    received = []

    def save_late_blob():
        time.sleep(0.5)
        db.save(late)

    def reader(message, db):
        if message.get("id") == late["_id"]:
            received.append(message)
            raise exceptions.FeedReaderExited()

    writer = threading.Thread(target=save_late_blob)
    writer.start()
    # pycouchdb POSTs _changes?feed=continuous; timeout=15000 ends the feed if the blob never shows up.
    db.changes_feed(reader, since=last_seq, timeout=15000, include_docs="true")
    writer.join()
    check(len(received) == 1, f"continuous _changes did not deliver {late['_id']} within 15 s")
    check(received[0]["doc"]["timestamp"] == late["timestamp"], f"continuous _changes sent {received[0]}")


def main():
    server = pycouchdb.Server(sys.argv[1])
    name = unique_database_name("pycouchdb")
    db = server.create(name)
    try:
        blobs = save_blobs(db)
        read_range_through_all_docs(db, blobs)
        read_range_through_find(db, blobs)
        follow_changes(db, blobs)
    finally:
        server.delete(name)
    print("KPI flow through pycouchdb passed")


if __name__ == "__main__":
    main()
