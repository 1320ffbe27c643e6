"""moto's server (the same app `python3 -m moto.server` runs), with DynamoDB requests serialized.

moto's threaded server runs a DynamoDB TransactWriteItems by snapshotting the table and restoring the
snapshot when a condition fails; two concurrent transactions on one item can therefore undo each other
(a winner's write rolled back by a loser). DynamoDB itself serializes conditional writes on an item.
Serializing DynamoDB requests here gives the emulator that guarantee without slowing other services
(an SQS long poll still runs beside other requests).

Usage: python3 moto_server.py HOST PORT   (make demo and the tests start it; any moto[server] install works)
"""
import os
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
dynamodb = threading.Lock()


def serialized(environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with dynamodb:
            return list(app(environ, start_response))
    return app(environ, start_response)


run_simple(host, port, serialized, threaded=True)
