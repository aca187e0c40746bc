// Reply::describe: a reply in the words redis-cli uses, for test messages and logs.
#include "wb/redis/reply.hpp"

namespace wb::redis {

std::string Reply::describe() const {
  switch (kind_) {
    case Kind::nil:
      return "(nil)";
    case Kind::integer:
      return "(integer) " + std::to_string(integer_);
    case Kind::string:
      return '"' + text_ + '"';
    case Kind::status:
      return text_;
    case Kind::error:
      return "(error) " + text_;
    case Kind::array: {
      std::string text = "[";
      for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (i > 0) text += ", ";
        text += elements_[i].describe();
      }
      return text + "]";
    }
  }
  return "?";
}

}  // namespace wb::redis
