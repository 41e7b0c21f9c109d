#include "loop/os_error.h"

#include <cerrno>

namespace lockstep {

OSError::OSError(int errno_value, const std::string& context)
    : std::system_error(errno_value, std::generic_category(),
                        "lockstep: [Errno " + std::to_string(errno_value) + "] " + context) {}

OSError::OSError(std::error_code code, const std::string& context)
    : std::system_error(code, "lockstep: [Errno " + std::to_string(code.value()) + "] " + context) {
}

std::exception_ptr make_os_error(int errno_value, const std::string& context) {
  switch (errno_value) {
    case EPIPE:
    case ESHUTDOWN:
      return std::make_exception_ptr(BrokenPipeError(errno_value, context));
    case ECONNABORTED:
      return std::make_exception_ptr(ConnectionAbortedError(errno_value, context));
    case ECONNREFUSED:
      return std::make_exception_ptr(ConnectionRefusedError(errno_value, context));
    case ECONNRESET:
      return std::make_exception_ptr(ConnectionResetError(errno_value, context));
    case ENOENT:
      return std::make_exception_ptr(FileNotFoundError(errno_value, context));
    case EEXIST:
      return std::make_exception_ptr(FileExistsError(errno_value, context));
    case EISDIR:
      return std::make_exception_ptr(IsADirectoryError(errno_value, context));
    case ENOTDIR:
      return std::make_exception_ptr(NotADirectoryError(errno_value, context));
    default:
      return std::make_exception_ptr(OSError(errno_value, context));
  }
}

void throw_os_error(int errno_value, const std::string& context) {
  std::rethrow_exception(make_os_error(errno_value, context));
}

}  // namespace lockstep
