"""The ``flask`` commands of api.md: users, seed-demo, workouts, connections.  (``serve`` and
``run``, which run jobs, come from jobs/cli.py.)"""

from flask import Flask


def register(app: Flask) -> None:
    from .connections import connections
    from .seed import seed_demo
    from .users import users
    from .workouts import workouts

    app.cli.add_command(users)
    app.cli.add_command(connections)
    app.cli.add_command(workouts)
    app.cli.add_command(seed_demo)
