# The chat server program, twice: wb_chat_server is the reference server (the solutions first on
# the include path), wb_chat_server_mine is built from the learner's files (its stubs compile,
# and it says "not started" when run). Both land in build/<preset>/chapters/ch16/. Where the
# Redis client is built (WB_REDIS), both can share their rooms through Redis (--backend).
foreach(variant IN ITEMS reference mine)
  if(variant STREQUAL "reference")
    set(target wb_chat_server)
    set(dirs ${PROJECT_SOURCE_DIR}/solutions/ch16-chat-server ${wb_chapter_dir})
  else()
    set(target wb_chat_server_mine)
    set(dirs ${wb_chapter_dir})
  endif()
  add_executable(${target} ${wb_chapter_dir}/chat_main.cpp)
  target_include_directories(${target} PRIVATE ${dirs})
  target_link_libraries(${target} PRIVATE wb_runtime CLI11::CLI11 wb_learner_warnings)
  if(TARGET wb_redis)  # --backend redis://... (rooms shared through Redis) where hiredis is
    target_link_libraries(${target} PRIVATE wb_redis)
    target_compile_definitions(${target} PRIVATE WB_CHAT_REDIS=1)
  endif()
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                             ${PROJECT_BINARY_DIR}/chapters/ch16)
endforeach()
target_compile_options(wb_chat_server PRIVATE -Werror)

# Where the reference solutions are (not in a student bundle), the session's tests are built with
# the reference token bucket (exercise 3), copied into the build tree and looked up before the
# learner's: exercise 2 then passes or fails on its own. wb_chat_server_mine uses the learner's.
set(wb_given_token_bucket ${PROJECT_SOURCE_DIR}/solutions/ch16-chat-server/token_bucket.hpp)
if(EXISTS ${wb_given_token_bucket} AND TARGET ch16_client_session)
  configure_file(${wb_given_token_bucket} ${PROJECT_BINARY_DIR}/chapters/ch16/given/token_bucket.hpp
                 COPYONLY)
  target_include_directories(ch16_client_session BEFORE
                             PRIVATE ${PROJECT_BINARY_DIR}/chapters/ch16/given)
endif()
