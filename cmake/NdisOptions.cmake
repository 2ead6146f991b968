# Build options shared by every target of libndis.
option(NDIS_WERROR "Treat warnings as errors" ON)
option(NDIS_BUILD_TESTS "Build the CTest suite" ON)
option(NDIS_BUILD_BENCH "Build the benchmarks under bench/" ON)
option(NDIS_BUILD_FUZZ "Build libFuzzer targets (needs clang)" OFF)
set(NDIS_SANITIZE "" CACHE STRING
    "Sanitizers: empty, 'address,undefined' or 'thread'")

add_compile_options(-Wall -Wextra -Wshadow -Wno-unused-parameter -fno-strict-aliasing
                    "$<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes;-Wmissing-prototypes>")
if(NDIS_WERROR)
  add_compile_options(-Werror)
endif()

if(NDIS_SANITIZE)
  add_compile_options(-fsanitize=${NDIS_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${NDIS_SANITIZE})
  add_compile_definitions(NDIS_SANITIZER_BUILD=1)
  if(NDIS_SANITIZE MATCHES "thread")
    add_compile_definitions(NDIS_TSAN_BUILD=1)
  endif()
endif()

find_package(Threads REQUIRED)

# ndis_add_test(NAME <name> SOURCES <files...> [LIBS <libs...>] [LABELS <labels...>]
#               [TIMEOUT <seconds>] [ARGS <args...>])
# Every test links the harness (tests/harness) and libndis. LABELS "concurrency"
# marks tests that also run under ThreadSanitizer in CI; "root" marks tests that
# need root (network namespaces).
function(ndis_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ndis_test_harness ${T_LIBS})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
  if(T_LABELS)
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
