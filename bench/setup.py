#!/usr/bin/env python3
"""Creates the benchmark's data through the public API (and, for the 5,000-task board, one SQL
insert of the same rows the API would write), and prints what the scenarios need as JSON.

    bench/setup.py BASE_URL DATABASE_URL [--smoke]
"""
import hashlib
import json
import subprocess
import sys
import urllib.request


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as res:
        text = res.read()
        return json.loads(text) if text else None


def project(base, token, name):
    return call(base, "POST", "/api/v1/projects", {"name": name}, token)["id"]


def main():
    base, database_url = sys.argv[1], sys.argv[2]
    smoke = "--smoke" in sys.argv
    reg = call(base, "POST", "/api/v1/auth/register",
               {"email": "bench@example.com", "password": "bench-password-1", "name": "Bench"})
    token, user_id = reg["token"], reg["user"]["id"]

    # Scenario 1: a board of 50 tasks to read, and a project to add tasks to.
    board50 = project(base, token, "Board of 50")
    for i in range(50):
        call(base, "POST", f"/api/v1/projects/{board50}/tasks", {"title": f"Task {i}"}, token)
    writes = project(base, token, "Task writes")
    call(base, "POST", f"/api/v1/projects/{writes}/tasks", {"title": "first"}, token)
    columns = call(base, "GET", f"/api/v1/projects/{writes}/board", None, token)["columns"]

    # Scenario 4: 5,000 tasks in 5 columns (2 added to the default 3).
    big = project(base, token, "Big board")
    for name in ("Review", "Released"):
        call(base, "POST", f"/api/v1/projects/{big}/columns", {"name": name, "status": "DONE"}, token)
    big_tasks = 50 if smoke else 5000
    sql = f"""
        INSERT INTO tasks (project_id, column_id, title, description, status, created_by, position, priority)
        SELECT c.project_id, c.id, 'Task ' || c.position || '.' || g, 'A task of the big board, number ' || g,
               c.status, '{user_id}', g * 65536, (ARRAY['LOW','MEDIUM','HIGH'])[1 + g % 3]
        FROM task_columns c, generate_series(1, {big_tasks // 5}) g WHERE c.project_id = '{big}';
        UPDATE projects SET board_seq = board_seq + 1 WHERE id = '{big}';
        ANALYZE;
    """
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c", sql], check=True)
    board = call(base, "GET", f"/api/v1/projects/{big}/board", None, token)
    assert sum(len(c["tasks"]) for c in board["columns"]) == big_tasks, "big board incomplete"

    # Scenario 2: rooms for fan-out.
    one_room = project(base, token, "Fan-out one room")
    ten_rooms = [project(base, token, f"Fan-out room {i}") for i in range(10)]

    print(json.dumps({
        "token": token,
        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
        "user_id": user_id,
        "board50": board50,
        "writes": writes,
        "writes_first_column": columns[0]["id"],
        "big": big,
        "big_tasks": big_tasks,
        "one_room": one_room,
        "ten_rooms": ten_rooms,
    }))


if __name__ == "__main__":
    main()
