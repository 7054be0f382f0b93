#!/usr/bin/env python3
"""Append KPI records to one peer store in batches and print the timing as JSON.

logstore-bench's `peers` scenario runs this once per measured run. The records file contains one
record per line, `TIMESTAMP<TAB>PAYLOAD`, where TIMESTAMP is Unix milliseconds and PAYLOAD is the
JSON blob. The file is read and split into batches before the clock starts, so the timed part is
only each batch's insert and its durable commit.

Standard output gets one JSON object:
  {"peer": ..., "version": ..., "records": N, "bytes": B, "latencies_ns": [...], "cpu_ns": C,
   "stored": S}
Each latency is the wall time of one batch from the first insert to the acknowledged commit.
cpu_ns is this process's CPU time over the timed part, and stored is the number of records the
table or stream contains afterwards, which the harness checks.

SQLite needs only the standard library. PostgreSQL needs psycopg2 and Redis needs redis-py; the
harness runs those two peers with the virtual environment it creates.
"""

import argparse
import json
import re
import sys
import time


def read_batches(path, batch_size):
    batches = []
    batch = []
    payload_bytes = 0
    with open(path, "rb") as records:
        for line in records:
            timestamp, payload = line.rstrip(b"\n").split(b"\t", 1)
            payload_bytes += len(payload)
            batch.append((int(timestamp), payload.decode("utf-8")))
            if len(batch) == batch_size:
                batches.append(batch)
                batch = []
    if batch:
        batches.append(batch)
    return batches, payload_bytes


class SQLitePeer:
    """SQLite in WAL mode with synchronous=FULL: each commit returns after the WAL is fsynced."""

    def __init__(self, arguments):
        import sqlite3

        self.version = sqlite3.sqlite_version
        self.table = arguments.table
        self.connection = sqlite3.connect(arguments.sqlite_path)
        mode = self.connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        self.connection.execute("PRAGMA synchronous=FULL")
        synchronous = self.connection.execute("PRAGMA synchronous").fetchone()[0]
        if mode != "wal" or synchronous != 2:
            raise SystemExit(f"sqlite: journal_mode is {mode} and synchronous is {synchronous}, expected wal and 2")
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} "
            "(id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, payload TEXT NOT NULL)"
        )
        self.connection.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_timestamp ON {self.table} (timestamp)")
        self.connection.commit()
        self.insert = f"INSERT INTO {self.table} (timestamp, payload) VALUES (?, ?)"

    def append(self, batch):
        self.connection.executemany(self.insert, batch)
        self.connection.commit()

    def count(self):
        return self.connection.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0]


class PostgreSQLPeer:
    """PostgreSQL with synchronous_commit=on: each COMMIT returns after the WAL is flushed."""

    def __init__(self, arguments):
        import psycopg2
        import psycopg2.extras

        self.execute_values = psycopg2.extras.execute_values
        self.table = arguments.table
        self.connection = psycopg2.connect(
            host="127.0.0.1", port=arguments.port, user="bench", dbname="postgres", connect_timeout=10
        )
        self.cursor = self.connection.cursor()
        for setting in ("synchronous_commit", "fsync"):
            value = self.query("SHOW " + setting)
            if value != "on":
                raise SystemExit(f"postgresql: {setting} is {value}, expected on")
        self.version = self.query("SHOW server_version").split()[0]
        self.cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} "
            "(id bigserial PRIMARY KEY, timestamp bigint NOT NULL, payload text NOT NULL)"
        )
        self.cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_timestamp ON {self.table} (timestamp)")
        self.connection.commit()
        self.insert = f"INSERT INTO {self.table} (timestamp, payload) VALUES "

    def query(self, sql):
        self.cursor.execute(sql)
        value = self.cursor.fetchone()[0]
        self.connection.commit()
        return value

    def append(self, batch):
        if len(batch) == 1:
            self.cursor.execute(self.insert + "(%s, %s)", batch[0])
        else:
            # One multi-row INSERT per batch, the usual psycopg2 way to insert many rows.
            self.execute_values(self.cursor, self.insert + "%s", batch, page_size=len(batch))
        self.connection.commit()

    def count(self):
        return self.query(f"SELECT count(*) FROM {self.table}")


class RedisPeer:
    """A Redis stream with appendfsync always: replies go out after the append-only file is fsynced."""

    def __init__(self, arguments):
        import redis

        self.stream = arguments.table
        self.client = redis.Redis(host="127.0.0.1", port=arguments.port, socket_timeout=30)
        settings = self.client.config_get("append*")
        if settings.get("appendonly") != "yes" or settings.get("appendfsync") != "always":
            raise SystemExit(f"redis: appendonly and appendfsync are {settings}, expected yes and always")
        self.version = self.client.info("server")["redis_version"]

    def append(self, batch):
        if len(batch) == 1:
            timestamp, payload = batch[0]
            self.client.xadd(self.stream, {"timestamp": timestamp, "payload": payload})
            return
        # MULTI/EXEC makes the batch atomic, as a transaction does in the SQL peers.
        pipeline = self.client.pipeline(transaction=True)
        for timestamp, payload in batch:
            pipeline.xadd(self.stream, {"timestamp": timestamp, "payload": payload})
        pipeline.execute()

    def count(self):
        return self.client.xlen(self.stream)


PEERS = {"sqlite": SQLitePeer, "postgresql": PostgreSQLPeer, "redis": RedisPeer}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("peer", choices=sorted(PEERS))
    parser.add_argument("--records", required=True, help="the records file, TIMESTAMP<TAB>PAYLOAD per line")
    parser.add_argument("--batch-size", type=int, required=True, help="records per durable commit")
    parser.add_argument("--sqlite-path", help="the SQLite database file (sqlite)")
    parser.add_argument("--port", type=int, help="the server's port on 127.0.0.1 (postgresql, redis)")
    parser.add_argument("--table", default="records", help="the table, or the stream key for redis")
    arguments = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", arguments.table):
        parser.error(f"invalid --table {arguments.table}: use lowercase letters, digits and underscores")

    batches, payload_bytes = read_batches(arguments.records, arguments.batch_size)
    peer = PEERS[arguments.peer](arguments)

    latencies = []
    cpu_start = time.process_time_ns()
    for batch in batches:
        start = time.perf_counter_ns()
        peer.append(batch)
        latencies.append(time.perf_counter_ns() - start)
    cpu = time.process_time_ns() - cpu_start

    result = {
        "peer": arguments.peer,
        "version": peer.version,
        "records": sum(len(batch) for batch in batches),
        "bytes": payload_bytes,
        "latencies_ns": latencies,
        "cpu_ns": cpu,
        "stored": peer.count(),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
