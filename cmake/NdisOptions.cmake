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

# ndis_add_driver(NAME <name> SOURCES <files...> [INF <file>])
# Builds a driver the two ways libndis uses drivers, from the same sources:
#  - <name>.so (target <name>), a loadable module exporting DriverEntry, compiled
#    as a user would compile it (pkg-config --cflags ndis: 16-bit L"" literals,
#    WDK pragmas accepted);
#  - <name>_static, a static library for programs that link the driver in (tests,
#    the demo, benchmarks), where DriverEntry is renamed <name>_DriverEntry so
#    several drivers can live in one program.
# The INF file, if any, is copied next to the module.
function(ndis_add_driver)
  cmake_parse_arguments(D "" "NAME;INF" "SOURCES" ${ARGN})
  set(driver_flags -fshort-wchar -Wno-unknown-pragmas -Wno-multichar)
  add_library(${D_NAME} MODULE ${D_SOURCES})
  set_target_properties(${D_NAME} PROPERTIES PREFIX "" OUTPUT_NAME ${D_NAME}
                        LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/drivers)
  target_compile_options(${D_NAME} PRIVATE ${driver_flags})
  target_include_directories(${D_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/include
                             ${CMAKE_CURRENT_SOURCE_DIR})
  # Symbols resolve against the libndis already loaded in the host process.
  target_link_libraries(${D_NAME} PRIVATE ndis)
  add_library(${D_NAME}_static STATIC ${D_SOURCES})
  target_compile_options(${D_NAME}_static PRIVATE ${driver_flags})
  target_compile_definitions(${D_NAME}_static PRIVATE DriverEntry=${D_NAME}_DriverEntry)
  target_include_directories(${D_NAME}_static PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}
                             PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${D_NAME}_static PUBLIC ndis_static)
  if(D_INF)
    configure_file(${D_INF} ${PROJECT_BINARY_DIR}/drivers/${D_NAME}.inf COPYONLY)
  endif()
  install(TARGETS ${D_NAME} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/ndis/drivers)
  if(D_INF)
    install(FILES ${D_INF} DESTINATION ${CMAKE_INSTALL_LIBDIR}/ndis/drivers RENAME ${D_NAME}.inf)
  endif()
endfunction()
