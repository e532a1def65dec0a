// Separate compilation of Boost.Asio (with its SSL support) and Boost.Beast: their
// implementation is compiled once, here, and every other translation unit of src/http includes
// only declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
