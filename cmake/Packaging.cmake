# CPack last: `cpack -G DEB` in the build dir makes a .deb that installs both executables in /usr/bin, with the
# desktop entry, AppStream metainfo and icon; Depends is computed by dpkg-shlibdeps from the binaries.
set(CPACK_PACKAGE_NAME layerslayer)
set(CPACK_PACKAGE_VENDOR "Layerslayer developers")
set(CPACK_PACKAGE_CONTACT "Layerslayer developers <layerslayer@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Browse container images straight from the registry, without docker pull")
set(CPACK_PACKAGE_DESCRIPTION
    "Layerslayer looks inside container images without pulling them: it talks to a
Docker or OCI registry and shows an image's build steps, its layers and each
layer's files while they stream in, and the merged filesystem with whiteouts
applied. It carves single files out of an image by downloading only the start
of the right layer, saves layers with digest verification and exports files in
batch. Provides the Qt desktop application layerslayer and the command-line
tool layerslayer-cli.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/layerslayer/layerslayer")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# RelWithDebInfo binaries carry DWARF: the package ships them stripped (about a tenth of the size).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# The GUI's icons are SVG: Qt loads them through the SVG icon engine and image format plugins, which no binary
# links (so dpkg-shlibdeps cannot see them); Debian 12 ships them in libqt6svg6.
if(LL_BUILD_GUI)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
else()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${CPACK_PACKAGE_HOMEPAGE_URL})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
