// OSError and its subclasses: operating-system failures as Python raises them, shared by
// the network API (loop/net/) and the file API (loop/fs/).
//
//   try {
//     lockstep::File f = co_await lockstep::file_system().open("config.json");
//   } catch (const lockstep::FileNotFoundError& e) {   // errno ENOENT
//     use_defaults();
//   } catch (const lockstep::OSError& e) {             // any other errno
//     log(e.what(), e.errno_value());                  // "lockstep: [Errno 5] ..."
//   }
//
// Every OSError is a std::system_error whose code() is the errno in
// std::generic_category(), so `e.code() == std::errc::no_such_file_or_directory` works
// too. make_os_error picks the subclass from the errno as Python's OSError constructor
// does; the simulated network and disk raise the same types with the same errno values
// as a Linux kernel would, so a handler written against one backend works against the
// other.
#pragma once

#include <exception>
#include <string>
#include <system_error>

namespace lockstep {

// An operating-system level failure (Python's OSError): what() reads
// "lockstep: [Errno 111] connect to 127.0.0.1:9 failed: Connection refused".
class OSError : public std::system_error {
 public:
  OSError(int errno_value, const std::string& context);
  // Another category: getaddrinfo's errors (gai_category(), Python's socket.gaierror).
  OSError(std::error_code code, const std::string& context);
  int errno_value() const noexcept { return code().value(); }
};

// Python's ConnectionError and its subclasses, chosen by errno (see make_os_error).
class ConnectionError : public OSError {
  using OSError::OSError;
};
class BrokenPipeError : public ConnectionError {  // EPIPE, ESHUTDOWN
  using ConnectionError::ConnectionError;
};
class ConnectionAbortedError : public ConnectionError {  // ECONNABORTED
  using ConnectionError::ConnectionError;
};
class ConnectionRefusedError : public ConnectionError {  // ECONNREFUSED
  using ConnectionError::ConnectionError;
};
class ConnectionResetError : public ConnectionError {  // ECONNRESET
  using ConnectionError::ConnectionError;
};

// The file errors a caller typically handles on its own (Python's names).
class FileNotFoundError : public OSError {  // ENOENT
  using OSError::OSError;
};
class FileExistsError : public OSError {  // EEXIST
  using OSError::OSError;
};
class IsADirectoryError : public OSError {  // EISDIR
  using OSError::OSError;
};
class NotADirectoryError : public OSError {  // ENOTDIR
  using OSError::OSError;
};

// The right OSError subclass for `errno_value`, as Python picks it.
std::exception_ptr make_os_error(int errno_value, const std::string& context);
[[noreturn]] void throw_os_error(int errno_value, const std::string& context);

}  // namespace lockstep
