//! Where webhooks may go. An admin's URL is fetched by the service from inside the network,
//! so without a guard it could reach what only the service should (a database's HTTP port, a
//! cloud's metadata address): loopback, private, link-local and similar addresses are refused
//! unless the operator allows them (`VEDTAKSLOGG_WEBHOOKS_ALLOW_PRIVATE`). The check is made
//! when an endpoint is registered and again on every address a delivery connects to, since a
//! name may resolve elsewhere later.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Whether webhooks may target addresses inside the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookPolicy {
    pub allow_private: bool,
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Whether an address is one a public webhook receiver cannot have.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                // Shared address space (carrier-grade NAT) and "this network".
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

impl WebhookPolicy {
    /// Checks an address a delivery would connect to.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), Refused> {
        if !self.allow_private && is_internal(ip) {
            return Err(Refused(format!(
                "{ip} is a loopback, private or link-local address; webhooks may not target \
                 the service's own network unless VEDTAKSLOGG_WEBHOOKS_ALLOW_PRIVATE=true"
            )));
        }
        Ok(())
    }

    /// Checks a URL an admin registers: http or https, a host, no credentials, and (for an
    /// address written in the URL, or a name that resolves now) no internal address.
    pub fn check_url(&self, url: &str) -> Result<reqwest::Url, Refused> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| Refused(format!("url: not a valid URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Refused("url: must be http:// or https://".into()));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Refused(
                "url: must not hold credentials; the signature authenticates the service".into(),
            ));
        }
        let host = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => return self.checked(parsed.clone(), IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => return self.checked(parsed.clone(), IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => name.to_owned(),
            None => return Err(Refused("url: has no host".into())),
        };
        if !self.allow_private && (host == "localhost" || host.ends_with(".localhost")) {
            return Err(Refused(format!(
                "url: {host} is the service's own machine; webhooks may not target it unless \
                 VEDTAKSLOGG_WEBHOOKS_ALLOW_PRIVATE=true"
            )));
        }
        // A name that does not resolve now may later: only the addresses it has are checked.
        let port = parsed.port_or_known_default().unwrap_or(443);
        if let Ok(addresses) = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)) {
            for address in addresses {
                self.check_address(address.ip())
                    .map_err(|Refused(why)| Refused(format!("url: {host} resolves to {why}")))?;
            }
        }
        Ok(parsed)
    }

    fn checked(&self, url: reqwest::Url, ip: IpAddr) -> Result<reqwest::Url, Refused> {
        self.check_address(ip)
            .map_err(|Refused(why)| Refused(format!("url: {why}")))?;
        Ok(url)
    }
}

/// Resolves names for deliveries and drops the addresses the policy refuses, so that a name
/// that resolves to an internal address after it was registered is not reached either.
pub struct GuardedResolver(pub WebhookPolicy);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|address| policy.check_address(address.ip()).is_ok())
                .collect();
            if allowed.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> = Box::new(Refused(format!(
                    "{host} resolves only to internal addresses"
                )));
                return Err(refused);
            }
            let addresses: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}

/// The resolver to give a client, as an `Arc`.
pub fn resolver(policy: WebhookPolicy) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver(policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        let strict = WebhookPolicy::default();
        for url in [
            "http://127.0.0.1:9/x",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost:8080/",
            "http://0.0.0.0/",
        ] {
            assert!(strict.check_url(url).is_err(), "{url} must be refused");
        }
        assert!(strict.check_url("https://93.184.216.34/hook").is_ok());
        let open = WebhookPolicy {
            allow_private: true,
        };
        assert!(open.check_url("http://127.0.0.1:9/x").is_ok());
    }

    #[test]
    fn only_http_urls_without_credentials_are_taken() {
        let strict = WebhookPolicy::default();
        assert!(strict.check_url("ftp://93.184.216.34/").is_err());
        assert!(strict.check_url("https://u:p@93.184.216.34/").is_err());
        assert!(strict.check_url("not a url").is_err());
    }
}
