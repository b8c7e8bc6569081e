// Beast is compiled once here (BOOST_BEAST_SEPARATE_COMPILATION) instead of in every translation unit.
#include <boost/beast/src.hpp>
