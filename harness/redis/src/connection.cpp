// The hiredis adapter of wb::redis::Connection: hiredis's event hooks (ev.addRead … ev.cleanup)
// set what the context wants, and drive() does it whenever the IoDriver reports readiness, a
// request is sent or a reader makes room. See connection.hpp for the rules on threads.
#include "wb/redis/connection.hpp"

#include <fcntl.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <hiredis/sds.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <string_view>
#include <utility>

#include "wb/io/io_driver.hpp"

namespace wb::redis {

namespace detail {

/// Where the reply of one request lands; shared by the request's future and hiredis's callback
/// (which owns a heap copy of the shared_ptr until it runs). Guarded by the connection's mutex.
struct ReplySlot {
  std::optional<Expected<Reply, Error>> result;
  std::optional<Waker> waker;
  std::size_t confirmations = 0;  // a (P)SUBSCRIBE: how many names the server has yet to confirm
};

namespace {

Error error_of(redisContext const& context) {
  Error::Kind kind = Error::Kind::other;
  switch (context.err) {
    case REDIS_ERR_IO:
      kind = Error::Kind::io;
      break;
    case REDIS_ERR_EOF:
      kind = Error::Kind::eof;
      break;
    case REDIS_ERR_PROTOCOL:
      kind = Error::Kind::protocol;
      break;
    default:
      break;
  }
  std::string message = context.errstr;
  if (context.err == REDIS_ERR_IO && message.empty()) message = std::strerror(errno);
  return Error{kind, std::move(message)};
}

Error closed_here() { return Error{Error::Kind::closed, "the connection was closed by this side"}; }

Reply copy_reply(redisReply const* reply) {
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      return Reply::integer_reply(reply->integer);
    case REDIS_REPLY_STRING:
      return Reply::text_reply(Reply::Kind::string, std::string(reply->str, reply->len));
    case REDIS_REPLY_STATUS:
      return Reply::text_reply(Reply::Kind::status, std::string(reply->str, reply->len));
    case REDIS_REPLY_ERROR:
      return Reply::text_reply(Reply::Kind::error, std::string(reply->str, reply->len));
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply->elements);
      for (std::size_t i = 0; i < reply->elements; ++i) {
        elements.push_back(copy_reply(reply->element[i]));
      }
      return Reply::array_reply(std::move(elements));
    }
    default:
      return Reply();
  }
}

std::string_view text_of(redisReply const* reply) {
  if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS) return {};
  return {reply->str, reply->len};
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      ::signal(SIGPIPE, SIG_IGN);
    }
  });
}

}  // namespace

struct ConnectionState {
  /// The waker the IoDriver holds for this connection: it drives the context on the thread that
  /// saw the readiness. It holds the state weakly, so the registration (which the state owns)
  /// and the state never keep each other alive.
  struct ReadyHook {
    std::weak_ptr<ConnectionState> state;
    void wake() {
      if (auto strong = state.lock()) {
        auto lock = strong->lock();
        strong->drive();
        strong->unlock_and_wake(lock);
      }  // `strong` may be the last handle: released with no lock held
    }
  };

  explicit ConnectionState(std::size_t message_capacity) : capacity(message_capacity) {}
  ConnectionState(ConnectionState const&) = delete;
  ConnectionState& operator=(ConnectionState const&) = delete;
  ~ConnectionState() {
    // Nobody else holds the state now: the callbacks hiredis runs while freeing need no lock.
    if (context) ::redisAsyncFree(context);
    for (auto& waker : wakes) std::move(waker).wake();
  }

  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex); }

  /// Releases the lock, then wakes (and releases) the wakers collected under it.
  void unlock_and_wake(std::unique_lock<std::mutex>& held) {
    std::vector<Waker> to_wake;
    std::vector<Waker> to_drop;
    to_wake.swap(wakes);
    to_drop.swap(drops);
    held.unlock();
    for (auto& waker : to_wake) std::move(waker).wake();
  }

  void wake_later(std::optional<Waker>& slot) {
    if (slot) wakes.push_back(std::move(*slot));
    slot.reset();
  }
  /// Stores the newest waker in `slot`; the one it replaces is released after the lock.
  void keep_waker(std::optional<Waker>& slot, Context& cx) {
    if (auto replaced = replace_waker(slot, cx.waker())) drops.push_back(std::move(*replaced));
  }

  // ANCHOR: drive
  /// Does what the context wants while the fd is ready for it: writes the requests buffered, then
  /// reads what arrived (hiredis parses it and runs the callbacks). Called with the lock held,
  /// never from inside hiredis. The driver is edge-triggered, and hiredis does not tell us when a
  /// read or write met EAGAIN, so: a read begins with a one-byte MSG_PEEK through poll_io (which
  /// clears the readiness on EAGAIN and waits for the next edge), and a write that left the output
  /// buffer as it was is taken as EAGAIN.
  void drive() {
    if (!context) return;
    Context cx(*hook);
    while (context) {
      if (want_write) {
        if (auto tick = registration->poll_ready(Direction::write, cx)) {
          bool const was_connected = (context->c.flags & REDIS_CONNECTED) != 0;
          std::size_t const before = sdslen(context->c.obuf);
          ::redisAsyncHandleWrite(context);
          if (!context) break;  // the write failed and hiredis freed the context
          bool const connected = (context->c.flags & REDIS_CONNECTED) != 0;
          if (!connected || (was_connected && want_write && sdslen(context->c.obuf) == before)) {
            registration->clear_ready(Direction::write, *tick);  // connecting, or EAGAIN
          }
          continue;
        }
      }
      if (want_read && messages.size() < capacity) {
        char byte;
        int const fd = registration->fd();
        auto peeked = registration->poll_io(
            Direction::read, cx, [&] { return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT); });
        if (peeked.is_ready()) {  // bytes, the end of the data or an error: hiredis finds out
          ::redisAsyncHandleRead(context);
          continue;
        }
      }
      break;
    }
  }
  // ANCHOR_END: drive

  /// What ended the connection, for the requests and readers that ask after it.
  Error ended() const { return end ? *end : closed_here(); }

  // --- hiredis's hooks (ev.*) and callbacks: they run inside hiredis, with the lock held ---

  static ConnectionState& of(void* data) { return *static_cast<ConnectionState*>(data); }
  static void add_read(void* data) { of(data).want_read = true; }
  static void del_read(void* data) { of(data).want_read = false; }
  static void add_write(void* data) { of(data).want_write = true; }
  static void del_write(void* data) { of(data).want_write = false; }

  /// The context is being freed (by us, or by hiredis after an error): unregister the socket
  /// (the registration holds a dup of hiredis's fd, closed here; hiredis closes its own next) and
  /// tell everyone waiting.
  static void cleanup(void* data) {
    ConnectionState& self = of(data);
    if (!self.context) return;
    if (!self.end) {
      self.end = self.context->c.err != 0 ? error_of(self.context->c) : closed_here();
    }
    self.context->ev.data = nullptr;
    self.context = nullptr;
    self.want_read = self.want_write = false;
    self.io->remove(std::move(self.registration));
    self.registration.reset();
    if (!self.connected && !self.connect_error) self.connect_error = self.end;
    self.wake_later(self.connect_waiter);
    self.wake_later(self.message_waiter);
    for (auto& slot : self.confirmations) {
      if (!slot->result) slot->result = unexpected(*self.end);
      self.wake_later(slot->waker);
    }
    self.confirmations.clear();
  }

  static void on_connect(redisAsyncContext const* context, int status) {
    ConnectionState& self = of(context->data);
    if (status == REDIS_OK) {
      self.connected = true;
    } else {
      self.connect_error = error_of(context->c);
      self.end = self.connect_error;
    }
    self.wake_later(self.connect_waiter);
  }

  /// The reply of an ordinary request (or nullptr when the context is freed first).
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata) {
    auto* holder = static_cast<std::shared_ptr<ReplySlot>*>(privdata);
    std::shared_ptr<ReplySlot> slot = std::move(*holder);
    delete holder;
    ConnectionState& self = of(context->data);
    if (reply != nullptr) {
      slot->result = copy_reply(static_cast<redisReply*>(reply));
    } else {
      slot->result = unexpected(context->c.err != 0 ? error_of(context->c) : closed_here());
    }
    self.wake_later(slot->waker);
  }

  /// Everything that arrives on a subscribed channel or pattern: confirmations and messages.
  static void on_subscription(redisAsyncContext* context, void* reply_data, void*) {
    if (reply_data == nullptr || context->data == nullptr) return;  // being freed: see cleanup
    ConnectionState& self = of(context->data);
    auto const* reply = static_cast<redisReply const*>(reply_data);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) return;
    std::string_view const kind = text_of(reply->element[0]);
    if (equals_ignoring_case(kind, "message") && reply->elements >= 3) {
      self.messages.push_back(Message{std::string(text_of(reply->element[1])),
                                      std::string(text_of(reply->element[2])), std::nullopt});
      self.wake_later(self.message_waiter);
    } else if (equals_ignoring_case(kind, "pmessage") && reply->elements >= 4) {
      self.messages.push_back(Message{std::string(text_of(reply->element[2])),
                                      std::string(text_of(reply->element[3])),
                                      std::string(text_of(reply->element[1]))});
      self.wake_later(self.message_waiter);
    } else if (equals_ignoring_case(kind, "subscribe") ||
               equals_ignoring_case(kind, "psubscribe") ||
               equals_ignoring_case(kind, "unsubscribe") ||
               equals_ignoring_case(kind, "punsubscribe")) {
      // The server confirms the names of one (UN)SUBSCRIBE in order, one reply each.
      if (self.confirmations.empty()) return;
      auto& slot = self.confirmations.front();
      if (slot->confirmations > 0 && --slot->confirmations > 0) return;
      slot->result = copy_reply(reply);
      self.wake_later(slot->waker);
      self.confirmations.pop_front();
    }
  }

  std::mutex mutex;  // guards the rest; held for every call into hiredis
  redisAsyncContext* context = nullptr;
  std::shared_ptr<IoDriver> io;
  std::shared_ptr<IoRegistration> registration;
  std::optional<Waker> hook;  // a ReadyHook
  bool want_read = false;
  bool want_write = false;
  bool connected = false;
  bool subscribed = false;
  std::optional<Error> connect_error;
  std::optional<Error> end;
  std::optional<Waker> connect_waiter;
  std::vector<Waker> wakes;  // to wake once the lock is released
  std::vector<Waker> drops;  // replaced wakers, released once the lock is released
  // Pub/sub
  std::size_t capacity;
  std::deque<Message> messages;
  std::optional<Waker> message_waiter;
  std::deque<std::shared_ptr<ReplySlot>> confirmations;
  // What this connection is subscribed to. hiredis runs no callback for the confirmation of an
  // UNSUBSCRIBE of a name it does not know, so only known names are sent.
  std::set<std::string> channels;
  std::set<std::string> patterns;
};

}  // namespace detail

using detail::closed_here;
using detail::ConnectionState;
using detail::equals_ignoring_case;

// --- Connection ---

Connection::Open Connection::open(std::string host, int port, std::size_t message_capacity) {
  return Open(std::move(host), port, message_capacity == 0 ? 1 : message_capacity);
}

Connection::Connection(std::shared_ptr<ConnectionState> state) : state_(std::move(state)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
  }
  return *this;
}
Connection::~Connection() { close(); }

void Connection::close() {
  if (!state_) return;
  auto lock = state_->lock();
  if (state_->context) {
    if (!state_->end) state_->end = closed_here();
    // Runs every waiting callback with no reply, then cleanup: each request ends with Error.
    ::redisAsyncFree(state_->context);
  }
  state_->unlock_and_wake(lock);
}

bool Connection::is_open() const {
  if (!state_) return false;
  auto lock = state_->lock();
  return state_->context != nullptr && state_->connected;
}

Connection::Request Connection::request(std::vector<std::string> argv) {
  return Request(state_, std::move(argv), false, false);
}

Connection::Subscribe Connection::subscribe(bool pattern, std::vector<std::string> names) {
  names.insert(names.begin(), pattern ? "PSUBSCRIBE" : "SUBSCRIBE");
  return Subscribe(Request(state_, std::move(names), true, pattern));
}

Connection::Subscribe Connection::unsubscribe(bool pattern, std::vector<std::string> names) {
  names.insert(names.begin(), pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE");
  return Subscribe(Request(state_, std::move(names), true, pattern));
}

Poll<Expected<Message, Error>> Connection::poll_message(Context& cx) {
  if (!state_) return Expected<Message, Error>(unexpected(closed_here()));
  ConnectionState& state = *state_;
  auto lock = state.lock();
  if (!state.messages.empty()) {
    bool const was_full = state.messages.size() >= state.capacity;
    Message message = std::move(state.messages.front());
    state.messages.pop_front();
    if (was_full) state.drive();  // reading was paused: there is room again
    state.unlock_and_wake(lock);
    return Expected<Message, Error>(std::move(message));
  }
  if (!state.context) {
    Error error = state.ended();
    state.unlock_and_wake(lock);
    return Expected<Message, Error>(unexpected(std::move(error)));
  }
  state.keep_waker(state.message_waiter, cx);
  state.unlock_and_wake(lock);
  return pending;
}

std::size_t Connection::buffered() const {
  if (!state_) return 0;
  auto lock = state_->lock();
  return state_->messages.size();
}

// --- Open ---

Connection::Open::Open(std::string host, int port, std::size_t capacity)
    : host_(std::move(host)), port_(port), capacity_(capacity) {}
Connection::Open::Open(Open&& other) noexcept
    : host_(std::move(other.host_)),
      port_(other.port_),
      capacity_(other.capacity_),
      state_(std::move(other.state_)) {}
Connection::Open::~Open() = default;  // a connect in progress is freed with its state

Poll<Connection::Open::Output> Connection::Open::poll(Context& cx) {
  if (!state_) {
    detail::ignore_sigpipe_once();
    redisAsyncContext* context = ::redisAsyncConnect(host_.c_str(), port_);
    if (context == nullptr) return Output(unexpected(Error{Error::Kind::other, "out of memory"}));
    if (context->err != 0) {  // refused at once (it happens on loopback), or a bad address
      Error error = detail::error_of(context->c);
      ::redisAsyncFree(context);
      return Output(unexpected(std::move(error)));
    }
    // The IoDriver closes the fds it is given; hiredis closes its own: it gets a duplicate.
    int const fd = ::fcntl(context->c.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      Error error{Error::Kind::io, std::strerror(errno)};
      ::redisAsyncFree(context);
      return Output(unexpected(std::move(error)));
    }
    IoDriver& io = IoDriver::current();
    auto registration = io.add(fd, IoDriver::Initially::ready);
    if (!registration) {
      ::close(fd);
      ::redisAsyncFree(context);
      return Output(unexpected(Error{Error::Kind::io, registration.error().message()}));
    }
    auto state = std::make_shared<ConnectionState>(capacity_);
    auto lock = state->lock();
    state->io = io.shared_from_this();
    state->registration = std::move(*registration);
    state->hook =
        waker_from(std::make_shared<ConnectionState::ReadyHook>(ConnectionState::ReadyHook{state}));
    state->context = context;
    context->data = state.get();
    context->ev.data = state.get();
    context->ev.addRead = &ConnectionState::add_read;
    context->ev.delRead = &ConnectionState::del_read;
    context->ev.addWrite = &ConnectionState::add_write;
    context->ev.delWrite = &ConnectionState::del_write;
    context->ev.cleanup = &ConnectionState::cleanup;
    // Asks for a write event: the first one says the connect has finished, one way or the other.
    ::redisAsyncSetConnectCallback(context, &ConnectionState::on_connect);
    state->drive();
    state_ = std::move(state);
    state_->unlock_and_wake(lock);
  }
  ConnectionState& state = *state_;
  auto lock = state.lock();
  if (state.connected && state.context) {
    state.unlock_and_wake(lock);
    return Output(Connection(std::move(state_)));
  }
  if (state.connect_error || !state.context) {
    Error error = state.connect_error ? *state.connect_error : state.ended();
    state.unlock_and_wake(lock);
    return Output(unexpected(std::move(error)));
  }
  state.keep_waker(state.connect_waiter, cx);
  state.unlock_and_wake(lock);
  return pending;
}

// --- Request ---

Connection::Request::Request(std::shared_ptr<ConnectionState> state, std::vector<std::string> argv,
                             bool subscribe, bool pattern)
    : state_(std::move(state)), argv_(std::move(argv)), subscribe_(subscribe), pattern_(pattern) {}
Connection::Request::Request(Request&& other) noexcept
    : state_(std::move(other.state_)),
      argv_(std::move(other.argv_)),
      subscribe_(other.subscribe_),
      pattern_(other.pattern_),
      slot_(std::move(other.slot_)) {}
Connection::Request::~Request() = default;  // the callback still holds the slot: no dangling

Poll<Connection::Request::Output> Connection::Request::poll(Context& cx) {
  if (!state_) return Output(unexpected(closed_here()));
  ConnectionState& state = *state_;
  auto lock = state.lock();
  if (!slot_) {
    auto fail = [&](Error error) {
      state.unlock_and_wake(lock);
      return Output(unexpected(std::move(error)));
    };
    if (!state.context) return fail(state.ended());
    if (argv_.empty()) return fail(Error{Error::Kind::usage, "a command needs a name"});
    bool const unsubscribing = equals_ignoring_case(argv_[0], "unsubscribe") ||
                               equals_ignoring_case(argv_[0], "punsubscribe");
    bool const subscribing = unsubscribing || equals_ignoring_case(argv_[0], "subscribe") ||
                             equals_ignoring_case(argv_[0], "psubscribe");
    if (subscribing != subscribe_ || (!subscribe_ && state.subscribed)) {
      return fail(
          Error{Error::Kind::usage,
                subscribe_ || state.subscribed
                    ? "a subscribed connection takes only SUBSCRIBE and PSUBSCRIBE"
                    : "SUBSCRIBE and PSUBSCRIBE need a Subscriber (their replies never end)"});
    }
    if (subscribe_ && argv_.size() < 2) {
      return fail(Error{Error::Kind::usage, argv_[0] + " needs at least one name"});
    }
    std::set<std::string>& names = pattern_ ? state.patterns : state.channels;
    if (unsubscribing) {  // only the names subscribed to; none left: done already
      std::vector<std::string> known{std::move(argv_[0])};
      for (std::size_t i = 1; i < argv_.size(); ++i) {
        if (names.erase(argv_[i]) > 0) known.push_back(std::move(argv_[i]));
      }
      argv_ = std::move(known);
      if (argv_.size() < 2) {
        state.unlock_and_wake(lock);
        return Output(Reply());
      }
    } else if (subscribe_) {
      names.insert(argv_.begin() + 1, argv_.end());
    }
    std::vector<char const*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(argv_.size());
    lengths.reserve(argv_.size());
    for (auto const& argument : argv_) {
      pointers.push_back(argument.data());
      lengths.push_back(argument.size());
    }
    auto slot = std::make_shared<detail::ReplySlot>();
    int sent;
    if (subscribe_) {
      // Every name's messages and confirmation go to one callback; its privdata is the state.
      slot->confirmations = argv_.size() - 1;
      sent =
          ::redisAsyncCommandArgv(state.context, &ConnectionState::on_subscription, nullptr,
                                  static_cast<int>(argv_.size()), pointers.data(), lengths.data());
      if (sent == REDIS_OK) {
        state.subscribed = true;
        state.confirmations.push_back(slot);
      }
    } else {
      auto* holder = new std::shared_ptr<detail::ReplySlot>(slot);
      sent =
          ::redisAsyncCommandArgv(state.context, &ConnectionState::on_reply, holder,
                                  static_cast<int>(argv_.size()), pointers.data(), lengths.data());
      if (sent != REDIS_OK) delete holder;
    }
    if (sent != REDIS_OK) return fail(Error{Error::Kind::closed, "the connection is closing"});
    argv_.clear();
    slot_ = std::move(slot);
    state.drive();  // writes it now if the socket takes it
  }
  if (slot_->result) {
    Output result = std::move(*slot_->result);
    slot_->result.reset();
    state.unlock_and_wake(lock);
    return result;
  }
  state.keep_waker(slot_->waker, cx);
  state.unlock_and_wake(lock);
  return pending;
}

Poll<Connection::Subscribe::Output> Connection::Subscribe::poll(Context& cx) {
  auto result = request_.poll(cx);
  if (result.is_pending()) return pending;
  auto reply = std::move(result).value();
  if (!reply) return Output(unexpected(std::move(reply.error())));
  if (reply->is_error()) return Output(unexpected(Error{Error::Kind::other, reply->text()}));
  return Output();
}

}  // namespace wb::redis
