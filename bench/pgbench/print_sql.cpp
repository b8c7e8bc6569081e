// Prints the server's own SQL for the statements one request runs, one "name<TAB>sql" a line, so
// that the pgbench ceiling runs exactly the text the server prepares (bench/pgbench/scripts.py).
#include <iostream>

#include "modules/auth/queries.hpp"
#include "modules/projects/queries.hpp"
#include "modules/tasks/queries.hpp"

int main() {
  using namespace collabdev;
  for (const auto& s : {auth::sql::session_by_hash, auth::sql::user_by_session, projects::sql::role_of,
                        tasks::sql::board, tasks::sql::board_seq, tasks::sql::next_board_seq, tasks::sql::first_column,
                        tasks::sql::column_end, tasks::sql::insert_task}) {
    std::cout << s.name << '\t' << s.sql << '\n';
  }
}
