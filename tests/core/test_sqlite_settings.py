"""Every SQLite connection to a file is set up for a web server and a worker sharing it."""

from sqlalchemy import create_engine, text

import accelerator.core.db  # noqa: F401  (registers the settings for every engine)


def test_a_sqlite_file_is_shared_safely_and_read_through_a_memory_map(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    with engine.connect() as connection:

        def pragma(name):
            return connection.execute(text(f"PRAGMA {name}")).scalar()

        # readers go on while the worker writes, and a writer waits rather than failing
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 30_000
        # a catalogue of 100,000 solutions (about 350 MB) is read through the map, whole
        assert pragma("mmap_size") >= 350 * 1024 * 1024
    engine.dispose()


def test_an_in_memory_database_keeps_its_default_journal():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "memory"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    engine.dispose()
