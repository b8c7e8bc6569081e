// collabdev: one binary for the whole server. Every module is wired here, explicitly.
#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "bus/bus.hpp"
#include "core/config.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "db/db.hpp"
#include "graph/mirror.hpp"
#include "graph/neo4j_client.hpp"
#include "http/client_address.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "modules/auth/auth.hpp"
#include "modules/calls/call_room.hpp"
#include "modules/calls/calls.hpp"
#include "modules/ops/ops.hpp"
#include "modules/chat/chat.hpp"
#include "modules/files/file_room.hpp"
#include "modules/files/files.hpp"
#include "modules/links/links.hpp"
#include "modules/links/resync.hpp"
#include "modules/presence/presence.hpp"
#include "modules/presence/project_room.hpp"
#include "modules/presence/user_room.hpp"
#include "modules/projects/invitations.hpp"
#include "modules/projects/projects.hpp"
#include "modules/tasks/tasks.hpp"
#include "realtime/gateway.hpp"

#ifndef COLLABDEV_VERSION
#define COLLABDEV_VERSION "0.0.0"
#endif
#ifndef COLLABDEV_DEFAULT_MIGRATIONS_DIR
#define COLLABDEV_DEFAULT_MIGRATIONS_DIR "server/migrations"
#endif

using namespace collabdev;

namespace {

constexpr int exit_bad_config = 2;

// Runs one coroutine to completion on `ioc` (used before the server starts serving).
template <class T>
T run_blocking(asio::io_context& ioc, awaitable<T> task) {
  auto fut = asio::co_spawn(ioc, std::move(task), asio::use_future);
  ioc.restart();
  while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    ioc.run_one();
  }
  return fut.get();
}

std::shared_ptr<db::Pool> make_pool(asio::io_context& ioc, const Config& cfg) {
  db::PoolOptions po;
  po.conninfo = cfg.database_url;
  po.max_size = cfg.db_pool_size;
  po.acquire_timeout = cfg.db_acquire_timeout;
  po.statement_timeout = cfg.db_statement_timeout;
  po.lock_timeout = cfg.db_lock_timeout;
  po.idle_in_transaction_timeout = cfg.db_idle_in_transaction_timeout;
  return db::Pool::create(ioc.get_executor(), po);
}

// Every feature module, constructed and given its routes, in one place.
struct Modules {
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<projects::ProjectsService> projects;
  std::unique_ptr<projects::InvitationsService> invitations;
  std::unique_ptr<tasks::TasksService> tasks;
  std::unique_ptr<files::FilesService> files;
  std::unique_ptr<realtime::Gateway> gateway;
  std::unique_ptr<chat::ChatService> chat;
  std::unique_ptr<presence::PresenceService> presence;
  std::unique_ptr<links::LinksService> links;
  std::shared_ptr<graph::Mirror> mirror;  // null without NEO4J_URL; started by run_serve
  std::unique_ptr<calls::CallsService> calls;
};

Modules wire_modules(http::Router& router, asio::io_context& ioc, const Config& cfg,
                     const std::shared_ptr<db::Pool>& pool, const std::shared_ptr<bus::Bus>& bus,
                     http::Metrics& metrics) {
  Modules m;
  // Artifact links and the graph: PostgreSQL is the truth, Neo4j (when configured) the mirror.
  auto artifact_types = links::standard_artifact_types();
  std::shared_ptr<graph::Neo4jClient> neo4j;
  if (!cfg.neo4j_url.empty()) {
    graph::Neo4jOptions no;
    no.url = cfg.neo4j_url;
    no.user = cfg.neo4j_user;
    no.password = cfg.neo4j_password;
    no.database = cfg.neo4j_database;
    neo4j = graph::make_neo4j_client(ioc.get_executor(), no);
    std::vector<std::string> type_names;
    for (const auto& t : artifact_types.all()) {
      type_names.push_back(t.name);
    }
    m.mirror = std::make_shared<graph::Mirror>(ioc.get_executor(), pool, neo4j, type_names);
  }

  ops::MetricsAccess metrics_access;
  if (!cfg.metrics_listen.empty()) {
    metrics_access.mode = ops::MetricsAccess::Mode::elsewhere;
  } else if (!cfg.metrics_token.empty()) {
    metrics_access.mode = ops::MetricsAccess::Mode::token;
    metrics_access.token = cfg.metrics_token;
  }
  std::function<std::string()> mirror_state;
  if (m.mirror) {
    mirror_state = [mirror = m.mirror] { return mirror->status().degraded ? "degraded" : "up"; };
  }
  ops::register_routes(router, {pool, bus, &metrics, metrics_access, mirror_state});

  auth::Options auth_options;
  auth_options.session_ttl = cfg.session_ttl;
  auth_options.cookie_secure = cfg.cookie_secure;
  auth_options.allowed_origins = cfg.allowed_origins;
  auth_options.registrations_per_address = cfg.registrations_per_address;
  auto hasher = std::make_shared<auth::PasswordHasher>(cfg.hash_threads, 256);
  m.auth = std::make_unique<auth::AuthService>(pool, hasher, auth_options, bus);
  m.auth->register_routes(router);

  m.projects = std::make_unique<projects::ProjectsService>(pool, bus, *m.auth);
  m.projects->register_routes(router);
  m.invitations = std::make_unique<projects::InvitationsService>(pool, *m.auth, *m.projects);
  m.invitations->register_routes(router);
  m.tasks = std::make_unique<tasks::TasksService>(pool, bus, *m.auth, *m.projects);
  m.tasks->register_routes(router);
  m.files = std::make_unique<files::FilesService>(
      pool, bus, *m.projects,
      files::Limits{.file_max_bytes = cfg.file_max_bytes, .project_max_bytes = cfg.project_max_bytes,
                    .log_keep = cfg.file_log_keep});
  m.files->register_routes(router);
  m.calls = std::make_unique<calls::CallsService>(
      pool, bus, *m.projects,
      calls::Options{.stun_urls = cfg.stun_urls, .turn_urls = cfg.turn_urls, .turn_secret = cfg.turn_secret,
                     .turn_ttl = cfg.turn_ttl, .call_ttl = cfg.call_ttl, .livekit_url = cfg.livekit_url,
                     .livekit_api_key = cfg.livekit_api_key, .livekit_api_secret = cfg.livekit_api_secret});
  m.calls->register_routes(router);

  // The realtime gateway: it knows no feature; each registers its room kind here.
  realtime::GatewayOptions gateway_options;
  gateway_options.allowed_origins = cfg.allowed_origins;
  gateway_options.auth_timeout = cfg.ws_auth_timeout;
  gateway_options.max_connections = cfg.ws_max_connections;
  gateway_options.max_per_address = cfg.ws_max_per_address;
  auto* auth_service = m.auth.get();
  realtime::GatewayServices gateway_services;
  gateway_services.authenticate = [auth_service](std::string token) -> awaitable<std::optional<realtime::Identity>> {
    std::optional<auth::Principal> p;
    try {
      p = co_await auth_service->authenticate_token(token);
    } catch (const db::PoolTimeout&) {
      throw realtime::Unavailable("the database is busy; try again");
    }
    if (!p) {
      co_return std::nullopt;
    }
    co_return realtime::Identity{p->user_id, p->session_id};
  };
  gateway_services.live_sessions = [auth_service](std::vector<std::string> ids) {
    return auth_service->live_sessions(std::move(ids));
  };
  gateway_services.profile = [pool](std::string user_id) { return presence::user_profile(*pool, std::move(user_id)); };
  m.gateway = std::make_unique<realtime::Gateway>(ioc, bus, std::move(gateway_services), gateway_options);
  m.gateway->register_room_kind(presence::project_room(bus, *m.projects));
  m.gateway->register_room_kind(presence::user_room());
  m.gateway->register_room_kind(files::file_room(pool, bus, *m.files, *m.projects));
  m.gateway->register_room_kind(calls::call_room(bus, *m.calls));

  m.chat = std::make_unique<chat::ChatService>(pool, bus, *m.auth, *m.projects);
  m.chat->register_routes(router);
  m.presence = std::make_unique<presence::PresenceService>(pool, *m.gateway, *m.auth, *m.projects);
  m.presence->register_routes(router);
  m.links = std::make_unique<links::LinksService>(pool, bus, *m.projects, std::move(artifact_types), neo4j);
  m.links->register_routes(router);
  return m;
}

// Prints "METHOD pattern" for every route (the OpenAPI test compares them with docs/openapi.yaml).
int run_routes(const Config& cfg) {
  asio::io_context ioc;
  auto pool = make_pool(ioc, cfg);
  auto bus = bus::make_local_bus(ioc.get_executor());
  http::Metrics metrics;
  http::Router router;
  auto modules = wire_modules(router, ioc, cfg, pool, bus, metrics);
  for (const auto& r : router.routes()) {
    std::cout << http::method_name(r.method) << " " << r.pattern << "\n";
  }
  return 0;
}

int run_migrate(const Config& cfg) {
  asio::io_context ioc;
  auto pool = make_pool(ioc, cfg);
  auto report = run_blocking(ioc, db::migrate(*pool, cfg.migrations_dir));
  for (const auto& name : report.applied) {
    spdlog::info("applied migration {}", name);
  }
  spdlog::info("migrations: {} applied now, {} already applied", report.applied.size(), report.already);
  pool->close();
  return 0;
}

// `collabdev graph resync`: compares the mirror with PostgreSQL, prints what differs, and queues
// the whole of it again for the mirror to replay.
int run_graph_resync(const Config& cfg, const std::optional<std::string>& project) {
  asio::io_context ioc;
  auto pool = make_pool(ioc, cfg);
  std::optional<std::string> project_id;
  if (project) {
    project_id = ids::canonical(*project);
    if (!project_id) {
      std::cerr << "collabdev: --project: not a project id\n";
      return exit_bad_config;
    }
  }
  std::shared_ptr<graph::Neo4jClient> neo4j;
  if (!cfg.neo4j_url.empty()) {
    neo4j = graph::make_neo4j_client(ioc.get_executor(), graph::Neo4jOptions{cfg.neo4j_url, cfg.neo4j_user,
                                                                             cfg.neo4j_password, cfg.neo4j_database});
  }
  auto report = run_blocking(ioc, links::resync(*pool, neo4j, project_id));
  std::int64_t differing = 0;
  for (const auto& p : report.projects) {
    if (p.neo4j_links < 0) {
      std::cout << "project " << p.project_id << ": " << p.postgresql_links << " links (Neo4j not compared)\n";
    } else if (p.missing != 0 || p.extra != 0) {
      ++differing;
      std::cout << "project " << p.project_id << ": " << p.postgresql_links << " links in PostgreSQL, "
                << p.neo4j_links << " in Neo4j; " << p.missing << " missing from Neo4j, " << p.extra
                << " only in Neo4j\n";
    }
  }
  std::cout << report.projects.size() << " projects, " << differing << " differing; " << report.queued
            << " changes queued for the mirror\n";
  pool->close();
  return 0;
}

int run_serve(const Config& cfg) {
  const unsigned threads = cfg.threads != 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(threads));
  auto pool = make_pool(ioc, cfg);
  if (cfg.migrate_on_start) {
    auto report = run_blocking(ioc, db::migrate(*pool, cfg.migrations_dir));
    spdlog::info("migrations: {} applied now, {} already applied", report.applied.size(), report.already);
  }
  auto bus = cfg.redis_url.empty() ? bus::make_local_bus(ioc.get_executor())
                                   : bus::make_redis_bus(ioc.get_executor(), cfg.redis_url);

  http::Metrics metrics;
  metrics.gauge("collabdev_db_pool_size", "Open PostgreSQL connections.",
                [pool] { return static_cast<double>(pool->stats().size); });
  metrics.gauge("collabdev_db_pool_in_use", "PostgreSQL connections leased now.",
                [pool] { return static_cast<double>(pool->stats().in_use); });
  metrics.gauge("collabdev_db_pool_waiting", "Requests waiting for a PostgreSQL connection.",
                [pool] { return static_cast<double>(pool->stats().waiting); });

  http::Router router;
  auto modules = wire_modules(router, ioc, cfg, pool, bus, metrics);
  modules.auth->start_purger(ioc.get_executor(), std::chrono::minutes(10));
  modules.gateway->start();
  if (modules.mirror) {
    modules.mirror->start();
    auto mirror = modules.mirror;
    metrics.gauge("collabdev_graph_mirror_pending", "Outbox rows not yet replayed into Neo4j.",
                  [mirror] { return static_cast<double>(mirror->status().pending); });
    metrics.gauge("collabdev_graph_mirror_lag_seconds", "Age of the oldest outbox row not yet in Neo4j.",
                  [mirror] { return mirror->status().lag_seconds; });
    metrics.gauge("collabdev_graph_mirror_up", "1 when the last round of the mirror reached Neo4j.",
                  [mirror] { return mirror->status().neo4j_up ? 1.0 : 0.0; });
  }
  // Every instance sweeps: a call whose participants' instance died still ends.
  modules.calls->start_sweeper(
      ioc.get_executor(),
      [gw = modules.gateway.get()](std::string room) { return gw->present(std::move(room)); },
      std::max<std::chrono::milliseconds>(std::chrono::milliseconds(500), cfg.call_ttl / 3));
  metrics.gauge("collabdev_websockets_open", "Open WebSocket connections.",
                [gw = modules.gateway.get()] { return static_cast<double>(gw->connections()); });

  http::ServerOptions so;
  so.host = cfg.listen_host;
  so.port = cfg.listen_port;
  so.body_limit = cfg.body_limit;
  so.request_timeout = cfg.request_timeout;
  so.web_root = cfg.web_root;
  so.trusted_proxies = http::parse_networks(cfg.trusted_proxies);
  http::Server server(ioc, so, router, metrics);
  server.set_upgrade_handler("/api/v1/ws", [gw = modules.gateway.get()](boost::beast::tcp_stream stream,
                                                                      http::BeastRequest req, http::Request info) {
    gw->accept(std::move(stream), std::move(req), std::move(info));
  });
  server.set_error_mapper([](const std::exception& e) -> std::optional<Problem> {
    if (dynamic_cast<const db::PoolTimeout*>(&e) != nullptr) {
      return problems::unavailable("The database is busy; try again.");
    }
    if (const auto* dbe = dynamic_cast<const db::Error*>(&e); dbe != nullptr && dbe->is_timeout()) {
      // A statement, lock or idle-in-transaction timeout (COLLABDEV_DB_*_TIMEOUT) fired.
      auto p = problems::make(503, "database-timeout", "Service unavailable.",
                              "The database took too long to answer; try again.");
      p.headers.emplace_back("Retry-After", "1");
      return p;
    }
    if (const auto* dbe = dynamic_cast<const db::Error*>(&e); dbe != nullptr && dbe->sqlstate().empty()) {
      return problems::unavailable("The database is unreachable; try again.");
    }
    return std::nullopt;
  });
  metrics.gauge("collabdev_http_open_connections", "Open HTTP connections.",
                [&server] { return static_cast<double>(server.open_connections()); });
  try {
    server.start();
  } catch (const std::system_error& e) {
    spdlog::critical("cannot listen on {}:{}: {}", cfg.listen_host, cfg.listen_port, e.what());
    return 1;
  }
  spdlog::info("collabdev {} listening on http://{}:{} ({} threads)", COLLABDEV_VERSION, cfg.listen_host,
               server.bound_port(), threads);

  // /metrics on an address of its own (e.g. reachable only from the monitoring network).
  http::Router metrics_router;
  std::unique_ptr<http::Server> metrics_server;
  if (!cfg.metrics_listen.empty()) {
    const auto ml = parse_listen(cfg.metrics_listen, "COLLABDEV_METRICS_LISTEN");
    // Without a token the listener's address is the access control: any peer reaching it may scrape.
    ops::MetricsAccess access;
    access.mode = cfg.metrics_token.empty() ? ops::MetricsAccess::Mode::open : ops::MetricsAccess::Mode::token;
    access.token = cfg.metrics_token;
    ops::register_metrics_route(metrics_router, metrics, access);
    http::ServerOptions mo;
    mo.host = ml.host;
    mo.port = ml.port;
    metrics_server = std::make_unique<http::Server>(ioc, mo, metrics_router, metrics);
    try {
      metrics_server->start();
    } catch (const std::system_error& e) {
      spdlog::critical("cannot listen on {} for metrics: {}", cfg.metrics_listen, e.what());
      return 1;
    }
    spdlog::info("metrics on http://{}:{}/metrics", ml.host, metrics_server->bound_port());
  }

  // Graceful stop: stop accepting, finish requests in flight, then stop within 10 s at most.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  std::chrono::steady_clock::time_point deadline;
  std::function<void()> poll_drain = [&] {
    if ((server.open_connections() == 0 && modules.gateway->connections() == 0 &&
         (!metrics_server || metrics_server->open_connections() == 0)) ||
        std::chrono::steady_clock::now() >= deadline) {
      if (modules.mirror) {
        modules.mirror->stop();
      }
      bus->stop();
      pool->close();
      ioc.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(50));
    drain.async_wait([&](boost::system::error_code) { poll_drain(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) {
      return;
    }
    spdlog::info("signal {}: shutting down", sig);
    server.shutdown();
    if (metrics_server) {
      metrics_server->shutdown();
    }
    modules.gateway->shutdown();
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(9);
    poll_drain();
  });

  std::vector<std::thread> pool_threads;
  for (unsigned i = 1; i < threads; ++i) {
    pool_threads.emplace_back([&ioc] { ioc.run(); });
  }
  ioc.restart();
  ioc.run();
  for (auto& t : pool_threads) {
    t.join();
  }
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"CollabDev+ server"};
  app.require_subcommand(1);
  auto* serve = app.add_subcommand("serve", "Serve the API, the realtime gateway and the web client");
  auto* migrate = app.add_subcommand("migrate", "Apply database migrations and exit");
  auto* version = app.add_subcommand("version", "Print the version");
  auto* routes = app.add_subcommand("routes", "Print every HTTP route");
  auto* graph_cmd = app.add_subcommand("graph", "The Neo4j mirror of the artifact graph");
  graph_cmd->require_subcommand(1);
  auto* resync = graph_cmd->add_subcommand("resync", "Rebuild the mirror from PostgreSQL and print what differed");
  std::optional<std::string> resync_project;
  resync->add_option("--project", resync_project, "Only this project");

  std::optional<std::string> database_url, redis_url, neo4j_url, listen, web_root, log_level, log_format,
      body_limit, migrations_dir;
  std::optional<unsigned> threads;
  bool no_migrate = false;
  for (auto* sub : {serve, migrate, resync}) {
    sub->add_option("--database-url", database_url, "PostgreSQL URL (DATABASE_URL)");
    sub->add_option("--migrations-dir", migrations_dir, "Folder of NNNN_name.sql files (COLLABDEV_MIGRATIONS_DIR)");
    sub->add_option("--log-level", log_level, "trace|debug|info|warn|error (LOG_LEVEL)");
    sub->add_option("--log-format", log_format, "text|json (LOG_FORMAT)");
  }
  serve->add_option("--redis-url", redis_url, "Redis URL (REDIS_URL)");
  serve->add_option("--neo4j-url", neo4j_url, "Neo4j HTTP URL (NEO4J_URL)");
  resync->add_option("--neo4j-url", neo4j_url, "Neo4j HTTP URL (NEO4J_URL)");
  serve->add_option("--listen", listen, "host:port (COLLABDEV_LISTEN)");
  serve->add_option("--threads", threads, "I/O threads (COLLABDEV_THREADS)");
  serve->add_option("--web-root", web_root, "Folder of the built web client (COLLABDEV_WEB_ROOT)");
  serve->add_option("--body-limit", body_limit, "Request body limit, e.g. 1MiB (COLLABDEV_BODY_LIMIT)");
  serve->add_flag("--no-migrate", no_migrate, "Do not apply migrations at start");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_bad_config;
  }
  if (version->parsed()) {
    std::cout << "collabdev " << COLLABDEV_VERSION << "\n";
    return 0;
  }

  Config cfg;
  try {
    cfg = config_from_env([](const char* n) { return std::getenv(n); });
    if (routes->parsed() && cfg.database_url.empty()) {
      cfg.database_url = "postgresql://localhost/unused";
    }
    if (database_url) cfg.database_url = *database_url;
    if (redis_url) cfg.redis_url = *redis_url;
    if (neo4j_url) cfg.neo4j_url = *neo4j_url;
    if (listen) {
      auto l = parse_listen(*listen, "--listen");
      cfg.listen_host = l.host;
      cfg.listen_port = l.port;
    }
    if (threads) {
      cfg.threads = parse_unsigned(std::to_string(*threads), "--threads", 1, 256);
    }
    if (web_root) cfg.web_root = *web_root;
    if (log_level) cfg.log_level = *log_level;
    if (log_format) cfg.log_format = *log_format;
    if (body_limit) cfg.body_limit = parse_size(*body_limit, "--body-limit");
    if (migrations_dir) cfg.migrations_dir = *migrations_dir;
    if (cfg.migrations_dir.empty()) cfg.migrations_dir = COLLABDEV_DEFAULT_MIGRATIONS_DIR;
    cfg.migrate_on_start = !no_migrate;
    validate(cfg);
    try {
      http::parse_networks(cfg.trusted_proxies);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("COLLABDEV_TRUSTED_PROXIES: ") + e.what());
    }
  } catch (const ConfigError& e) {
    std::cerr << "collabdev: configuration error: " << e.what() << "\n";
    return exit_bad_config;
  }
  setup_logging(cfg.log_level, cfg.log_format);

  try {
    if (routes->parsed()) {
      return run_routes(cfg);
    }
    if (migrate->parsed()) {
      return run_migrate(cfg);
    }
    if (resync->parsed()) {
      return run_graph_resync(cfg, resync_project);
    }
    return run_serve(cfg);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    spdlog::shutdown();
    return 1;
  }
}
