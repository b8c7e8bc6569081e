#!/usr/bin/env python3
"""Writes the pgbench scripts of the ceiling: for each benchmarked request, the statements the
server runs for it, in its order, with its parameters (pgbench variables, `-M prepared`).

    print_sql | bench/pgbench/scripts.py OUT_DIR

The SQL comes from the server's own query headers (print_sql.cpp). One change of text only:
pgbench takes every ':name' for a variable, even inside a string literal, so the ':' of the
timestamp format 'HH24:MI:SS' is written as 'HH24' || ':' || 'MI' ...; PostgreSQL folds that back
to the same constant when it plans the statement.
"""
import re
import sys

# The parameters of each statement, in order ($1, $2, ...); None is SQL NULL.
PARAMS = {
    "auth_session_by_hash": [":token_hash"],
    "auth_user_by_session": [":token_hash"],
    "projects_role_of": [":project", ":user_id"],
    "tasks_board": [":project"],
    "tasks_board_seq": [":project"],
    "tasks_next_board_seq": [":project"],
    "tasks_first_column": [":project"],
    "tasks_column_end": [":col_id", ":no_task"],
    # project, column, title, description, status, assignee, due date, priority, created_by, position
    "tasks_insert": [":project", ":col_id", ":title", None, ":col_status", None, None, None, ":user_id", ":pos"],
}

# The requests, as the server runs them (auth.cpp require, projects.cpp require_member, tasks.cpp).
REQUESTS = {
    "me": ["auth_user_by_session"],
    # A repeated read of an unchanged board is served from the rendering cached for its board_seq:
    # the server runs the session, membership and sequence lookups (tasks.cpp board()).
    "board": ["auth_session_by_hash", "projects_role_of", "tasks_board_seq"],
    "create_task": ["auth_session_by_hash", "projects_role_of", "BEGIN", "tasks_next_board_seq",
                    "tasks_first_column \\gset col_", "tasks_column_end \\gset",
                    "\\set pos :last + 65536", "tasks_insert", "COMMIT"],
}


def unquote_colons(sql):
    out, i = [], 0
    for m in re.finditer(r"'[^']*'", sql):
        out.append(sql[i:m.start()])
        lit = m.group(0)
        out.append("' || ':' || '".join(lit.split(":")) if ":" in lit else lit)
        i = m.end()
    out.append(sql[i:])
    return "".join(out)


def bind(name, sql):
    params = PARAMS[name]
    return re.sub(r"\$(\d+)", lambda m: params[int(m.group(1)) - 1] or "NULL", unquote_colons(sql))


def main():
    out_dir = sys.argv[1]
    statements = dict(line.rstrip("\n").split("\t", 1) for line in sys.stdin if "\t" in line)
    for request, steps in REQUESTS.items():
        lines = []
        for step in steps:
            if step in ("BEGIN", "COMMIT") or step.startswith("\\set"):
                lines.append(step + (";" if not step.startswith("\\") else ""))
                continue
            name, _, gset = step.partition(" ")
            sql = bind(name, statements[name])
            lines.append(sql + (" " + gset if gset else ";"))
        with open(f"{out_dir}/{request}.sql", "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
