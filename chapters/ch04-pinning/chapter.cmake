# Chapter 4's "does it compile?" exercise runs the compiler from inside its test: the test
# needs to know which compiler, with which flags, on which files. (Included by wb_add_chapter.)
set(snippet_flags -std=c++20 -fsyntax-only)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND snippet_flags -fmax-errors=1 -fno-diagnostics-color)
elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND snippet_flags -ferror-limit=1 -fno-color-diagnostics)
endif()
string(JOIN " " snippet_flags ${snippet_flags})
foreach(target ${wb_exercise_targets_predictions})
  target_compile_definitions(${target} PRIVATE
    WB_SNIPPET_COMPILER="${CMAKE_CXX_COMPILER}"
    WB_SNIPPET_FLAGS="${snippet_flags}"
    WB_SNIPPET_INCLUDE_DIR="${PROJECT_SOURCE_DIR}/harness/runtime/include"
    WB_SNIPPETS_DIR="${wb_chapter_dir}/snippets")
endforeach()
