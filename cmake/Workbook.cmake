# Helpers shared by the harness and the chapters.

# Warnings: fatal in harness code, shown (not fatal) in code a learner writes.
add_library(wb_harness_warnings INTERFACE)
target_compile_options(wb_harness_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
# GCC's -Wmaybe-uninitialized misfires on std::optional of a type with a user destructor once
# optimisation is on (GCC bug 80635): it would fail optimised -Werror builds of correct code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-maybe-uninitialized)
endif()
add_library(wb_learner_warnings INTERFACE)
target_compile_options(wb_learner_warnings INTERFACE -Wall -Wextra)

# Catch2 v2 (Debian 12) is one header, v3 a library; harness/testing/src/catch_main.cpp has the
# main() of both, and harness/testing/include/wb/testing/catch.hpp hides the other differences.
if(Catch2_VERSION VERSION_GREATER_EQUAL 3)
  set(WB_CATCH2_V3 ON)
  set(WB_CATCH2_TARGET Catch2::Catch2)
else()
  set(WB_CATCH2_V3 OFF)
  set(WB_CATCH2_TARGET Catch2::Catch2)
endif()
message(STATUS "Catch2 ${Catch2_VERSION} (${Catch2_DIR})")

# wb_add_exercise_variant(TARGET <name> TEST <file.cpp> DIRS <dir>...)
# A test program for one exercise whose headers are looked up in DIRS, in order. Tests include
# the exercise with angle brackets (<countdown.hpp>) so that DIRS, not the test's own folder,
# decide which version of the exercise is compiled.
function(wb_add_exercise_variant)
  cmake_parse_arguments(arg "" "TARGET;TEST;OUTPUT_DIR" "DIRS" ${ARGN})
  add_executable(${arg_TARGET} ${arg_TEST})
  target_include_directories(${arg_TARGET} PRIVATE ${arg_DIRS})
  target_link_libraries(${arg_TARGET} PRIVATE wb_test_main wb_learner_warnings)
  target_precompile_headers(${arg_TARGET} REUSE_FROM wb_test_pch)
  set_target_properties(${arg_TARGET} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${arg_OUTPUT_DIR})
endfunction()

# wb_apply_mutant_patches(<mutant_dir> <solution_dir> <out_dir> <out_var>)
# A wrong-on-purpose version is kept as <file>.patch: the reference solution's <file> with one
# mistake, so the mistake is all it holds. The patched files are written to <out_dir> at
# configure time (again whenever the patch or the solution changes); <out_var> names that dir.
function(wb_apply_mutant_patches mutant_dir solution_dir out_dir out_var)
  find_program(WB_PATCH patch REQUIRED)
  file(GLOB patches ${mutant_dir}/*.patch)
  file(MAKE_DIRECTORY ${out_dir})
  foreach(patch_file ${patches})
    get_filename_component(name ${patch_file} NAME)
    string(REGEX REPLACE "\\.patch$" "" file ${name})
    set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                 ${patch_file} ${solution_dir}/${file})
    # Patched beside the result and copied over it only when different: a configure that changes
    # nothing must not make every wrong version look edited and be compiled again.
    execute_process(COMMAND ${WB_PATCH} --quiet --force -o ${out_dir}/${file}.patched
                            -i ${patch_file} ${solution_dir}/${file}
                    RESULT_VARIABLE failed OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(failed)
      message(FATAL_ERROR "${patch_file} no longer applies to ${solution_dir}/${file}: ${output}"
                          "Update the patch: diff -u <solution> <wrong version> > <patch>.")
    endif()
    file(COPY_FILE ${out_dir}/${file}.patched ${out_dir}/${file} ONLY_IF_DIFFERENT)
    file(REMOVE ${out_dir}/${file}.patched)
  endforeach()
  set(${out_var} ${out_dir} PARENT_SCOPE)
endfunction()

# wb_threaded_exercises(<chapter.toml> <out_var>): the names of its exercises marked
# `threads = true`.
function(wb_threaded_exercises toml out_var)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${toml})
  file(STRINGS ${toml} lines REGEX "^(\\[|name *=|threads *=)")
  set(names "")
  set(current "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^\\[")
      set(current "")
    elseif(line MATCHES "^name *= *\"([^\"]*)\"")
      set(current ${CMAKE_MATCH_1})
    elseif(line MATCHES "^threads *= *true" AND NOT current STREQUAL "")
      list(APPEND names ${current})
    endif()
  endforeach()
  set(${out_var} ${names} PARENT_SCOPE)
endfunction()

# wb_add_chapter(<chNN-slug>)
# For every <exercise>_test.cpp in chapters/<chNN-slug>/, three kinds of program:
#   chNN_<exercise>                  the learner's files          (what `workbook check` runs)
#   chNN_<exercise>_solution         solutions/<chNN-slug> first  (proves the tests pass)
#   chNN_<exercise>_mutant_<name>    harness/tests/mutants/<chNN-slug>/<name> first (its
#                                    *.patch files applied to the solution), one per
#                                    deliberately wrong version   (proves the tests catch it)
# A chapter that needs more than that (a compile definition, a data file) says so in
# chapters/<chNN-slug>/chapter.cmake, which is included at the end with these variables set:
#   wb_chapter_dir               the chapter's folder
#   wb_exercise_targets_<name>   every program built for exercise <name>: the learner's, the
#                                solution and each mutant
function(wb_add_chapter slug)
  string(SUBSTRING ${slug} 0 4 id)
  set(learner_dir ${PROJECT_SOURCE_DIR}/chapters/${slug})
  set(solution_dir ${PROJECT_SOURCE_DIR}/solutions/${slug})
  set(mutants_dir ${PROJECT_SOURCE_DIR}/harness/tests/mutants/${slug})
  set(out ${PROJECT_BINARY_DIR}/chapters/${id})
  file(GLOB tests CONFIGURE_DEPENDS ${learner_dir}/*_test.cpp)
  if(WB_THREADED_EXERCISES_ONLY)
    wb_threaded_exercises(${learner_dir}/chapter.toml threaded)
  endif()
  foreach(test ${tests})
    get_filename_component(stem ${test} NAME_WE)
    string(REGEX REPLACE "_test$" "" exercise ${stem})
    if(WB_THREADED_EXERCISES_ONLY AND NOT exercise IN_LIST threaded)
      continue()
    endif()
    set(wb_exercise_targets_${exercise} ${id}_${exercise} ${id}_${exercise}_solution)
    wb_add_exercise_variant(TARGET ${id}_${exercise} TEST ${test} DIRS ${learner_dir}
                            OUTPUT_DIR ${out})
    wb_add_exercise_variant(TARGET ${id}_${exercise}_solution TEST ${test}
                            DIRS ${solution_dir} ${learner_dir} OUTPUT_DIR ${out})
    # Reference solutions are model code: warnings are errors there too.
    target_compile_options(${id}_${exercise}_solution PRIVATE -Werror)
    file(GLOB mutants CONFIGURE_DEPENDS LIST_DIRECTORIES true ${mutants_dir}/${exercise}-*)
    foreach(mutant_dir ${mutants})
      # A mistake only one sanitizer sees (expect.toml: sanitizer = "thread" or "address") is
      # built in a tree with that sanitizer only; verify elsewhere says where it is checked.
      # WB_WRONG_VERSIONS: all, those that need this tree's sanitizer, or none; correct versions
      # (expect.toml: correct = true) are built in every tree.
      set(needed_sanitizer "")
      set(correct_version FALSE)
      if(EXISTS ${mutant_dir}/expect.toml)
        file(STRINGS ${mutant_dir}/expect.toml settings
             REGEX "^(sanitizer *= *\"(thread|address)\"|correct *= *true)")
        if(settings MATCHES "sanitizer *= *\"(thread|address)\"")
          set(needed_sanitizer ${CMAKE_MATCH_1})
        endif()
        if(settings MATCHES "correct *= *true")
          set(correct_version TRUE)
        endif()
      endif()
      if(IS_DIRECTORY ${mutant_dir}
         AND (needed_sanitizer STREQUAL "" OR WB_SANITIZERS MATCHES "${needed_sanitizer}")
         AND (correct_version OR WB_WRONG_VERSIONS STREQUAL "all"
              OR (WB_WRONG_VERSIONS STREQUAL "sanitizer" AND NOT needed_sanitizer STREQUAL "")))
        get_filename_component(mutant ${mutant_dir} NAME)
        string(REPLACE "-" "_" mutant_id ${mutant})
        wb_apply_mutant_patches(${mutant_dir} ${solution_dir}
                                ${PROJECT_BINARY_DIR}/mutants/${slug}/${mutant} patched_dir)
        wb_add_exercise_variant(TARGET ${id}_mutant_${mutant_id} TEST ${test}
                                DIRS ${patched_dir} ${mutant_dir} ${solution_dir} ${learner_dir}
                                OUTPUT_DIR ${out})
        list(APPEND wb_exercise_targets_${exercise} ${id}_mutant_${mutant_id})
      endif()
    endforeach()
  endforeach()
  if(EXISTS ${learner_dir}/chapter.cmake)
    set(wb_chapter_dir ${learner_dir})
    include(${learner_dir}/chapter.cmake)
  endif()
endfunction()
