//! Reading the files people already have (see shared/formats): detection by content, lenient
//! where the files in the wild are sloppy, strict about what each entry must contain.
