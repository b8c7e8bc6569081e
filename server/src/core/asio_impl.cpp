// Asio is compiled once here (BOOST_ASIO_SEPARATE_COMPILATION) instead of in every translation unit.
#include <boost/asio/impl/src.hpp>
