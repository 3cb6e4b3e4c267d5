"""The ``flask`` commands of api.md: users, seed-demo, workouts, serve."""

from flask import Flask


def register(app: Flask) -> None:
    from .connections import connections
    from .seed import seed_demo
    from .serve import serve
    from .users import users
    from .workouts import workouts

    app.cli.add_command(users)
    app.cli.add_command(connections)
    app.cli.add_command(workouts)
    app.cli.add_command(seed_demo)
    app.cli.add_command(serve)
