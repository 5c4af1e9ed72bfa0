//! Where tokens are sent: the rules every API base follows, wherever it was given (the
//! environment, the command line, the config, an import).

use url::Url;

use crate::model::Credential;

/// An API base: an absolute https:// URL, or http:// to this machine (see [`check_api_base`]).
pub fn parse_api_base(value: &str) -> Result<Url, String> {
    let url = Url::parse(value.trim()).map_err(|e| e.to_string())?;
    check_api_base(&url)?;
    Ok(url)
}

/// Client secrets and tokens are sent to an API base, so it must be https://; plain http://
/// only to this machine (127.0.0.0/8, ::1, localhost), where nothing crosses a network.
pub fn check_api_base(url: &Url) -> Result<(), String> {
    const RULE: &str = "use https:// (http:// only to this machine: 127.0.0.1, ::1 or localhost)";
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!("http:// would send tokens in clear text; {RULE}")),
        _ => Err(format!("it is not an API base URL; {RULE}")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Why a service app talking to `base` may not mint with `bearer`'s token, if it may not: a
/// bearer's token is only ever sent to the API base the bearer itself uses.
pub fn bearer_base_mismatch(
    base: &Url,
    bearer: &Credential,
    env_base: Option<&Url>,
) -> Option<String> {
    let bearer_base = bearer.api_base(env_base);
    let same = base.as_str().trim_end_matches('/') == bearer_base.as_str().trim_end_matches('/');
    (!same).then(|| {
        format!(
            "it would use the API base {base}, but its bearer \"{}\" uses {bearer_base}: a bearer's token is only sent to its own API base; give both the same API base",
            bearer.name
        )
    })
}
