//! The pages' words, from one message catalogue per language (Project Fluent): Vietnamese by
//! default, English second. Numbers and dates are written the language's way.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// Vietnamese, the default.
    Vi,
    /// English.
    En,
}

const CATALOGUES: [(Lang, &str, &str); 2] = [
    (Lang::Vi, "vi", include_str!("../locales/vi.ftl")),
    (Lang::En, "en", include_str!("../locales/en.ftl")),
];

impl Lang {
    /// The language a code names; Vietnamese for anything else.
    pub(crate) fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    /// Its code, for `lang` attributes and links.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// A decimal as the language writes it: `85,5` in Vietnamese, `85.5` in English.
    pub(crate) fn decimal(self, text: &str) -> String {
        match self {
            Lang::Vi => text.replace('.', ","),
            Lang::En => text.to_owned(),
        }
    }
}

fn bundles() -> &'static Vec<(Lang, FluentBundle<FluentResource>)> {
    static BUNDLES: OnceLock<Vec<(Lang, FluentBundle<FluentResource>)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(lang, code, text)| {
                let id = code.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // Plain text in HTML: no Unicode isolation marks around arguments.
                bundle.set_use_isolating(false);
                // The catalogues are part of the build; a syntax error in one is caught by the
                // test below, and the messages it holds still load.
                let resource =
                    FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(resource);
                (*lang, bundle)
            })
            .collect()
    })
}

/// A message with arguments; its key when the catalogue lacks it.
pub(crate) fn t_with(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let Some((_, bundle)) = bundles().iter().find(|(l, _)| *l == lang) else {
        return key.to_owned();
    };
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned()
}

/// A message.
pub(crate) fn t(lang: Lang, key: &str) -> String {
    t_with(lang, key, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        let resource = FluentResource::try_new(text.to_owned()).expect("the catalogue parses");
        let mut keys: Vec<String> = resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn both_catalogues_parse_and_hold_the_same_messages() {
        assert_eq!(keys(CATALOGUES[0].2), keys(CATALOGUES[1].2));
        assert!(keys(CATALOGUES[0].2).len() > 50);
    }

    #[test]
    fn messages_are_in_the_language_asked_with_their_arguments() {
        assert_eq!(t(Lang::Vi, "log-in"), "Đăng nhập");
        assert_eq!(t(Lang::En, "log-in"), "Log in");
        let args = [("count", "2".to_owned()), ("codes", "1.1, 1.2".to_owned())];
        assert_eq!(
            t_with(Lang::Vi, "missing-values", &args),
            "Chưa nhập 2 tiêu chí: 1.1, 1.2"
        );
        assert_eq!(t(Lang::En, "no-such-key"), "no-such-key");
        assert_eq!(Lang::Vi.decimal("85.5"), "85,5");
    }
}
