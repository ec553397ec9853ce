# `cmake --install`: the device library as a package a firmware build consumes (docs/embedding.md).
#   include/microt/*.h                      the public headers
#   lib/libmicrot.a                         the library, built for this build's target
#   lib/cmake/microt/microtConfig.cmake     find_package(microt) -> microt::microt
#   lib/cmake/microt/microtConfigVersion.cmake
#   lib/pkgconfig/microt.pc                 pkg-config --cflags --libs microt
# Included by the top-level CMakeLists.txt after the microt target exists.
include(CMakePackageConfigHelpers)

set(MT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/microt)
install(TARGETS microt EXPORT microtTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/microt DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(EXPORT microtTargets NAMESPACE microt:: DESTINATION ${MT_CMAKE_DIR})

# What the installed library was built for, so a consumer can check it links the right one.
if(CMAKE_CROSSCOMPILING)
  set(MT_PACKAGE_TARGET ${MT_CPU})
else()
  set(MT_PACKAGE_TARGET host-${CMAKE_SYSTEM_PROCESSOR})
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/microtConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/microtConfig.cmake
                              INSTALL_DESTINATION ${MT_CMAKE_DIR})
# 0.x: minor versions may break the API, so a request for 0.1 accepts 0.1.* only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/microtConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/microtConfig.cmake ${PROJECT_BINARY_DIR}/microtConfigVersion.cmake
        DESTINATION ${MT_CMAKE_DIR})

# pkg-config: paths relative to the .pc file's prefix, so the tree can be moved.
configure_file(${CMAKE_CURRENT_LIST_DIR}/microt.pc.in ${PROJECT_BINARY_DIR}/microt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/microt.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
