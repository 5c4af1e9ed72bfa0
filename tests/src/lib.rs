//! Test support: the fake Webex server and helpers shared by the black-box tests.
