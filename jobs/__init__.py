"""Background jobs, run by RQ: plain functions that receive ids, not objects, and load what
they need inside the app context the worker gives them (jobs/worker.py).

- export.run_export: push one session revision to the athlete's provider
- removal.run_removal: delete a replaced or deleted session's workout at the provider
- push.push_waiting: after a connect, push every session that was waiting for one
- relay.relay: enqueue what could not be enqueued, recover what a dead worker left
"""
