#pragma once
// The one place that names the Asio flavour the server uses: C++20 coroutines on boost::asio.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace collabdev {
namespace asio = boost::asio;
template <class T = void>
using awaitable = asio::awaitable<T>;
using asio::use_awaitable;
using executor = asio::any_io_executor;
}  // namespace collabdev
