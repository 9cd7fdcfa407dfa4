// Package version is paybridge's release version: what `paybridge version`
// prints, and what the engine can send in a User-Agent.
//
// paybridge follows semantic versioning with a v0 major version: see the
// README's "Versions and compatibility" and CHANGELOG.md. The constant is
// set when a release is tagged; between releases it carries "-dev".
package version

// Version is the release this source tree is or leads up to, without the
// leading "v" of its tag.
const Version = "0.1.0-dev"

// UserAgent is the product token for HTTP requests, such as
// "paybridge/0.1.0-dev".
const UserAgent = "paybridge/" + Version
