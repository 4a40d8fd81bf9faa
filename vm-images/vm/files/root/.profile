[ -n "$BASH_VERSION" ] && [ -f ~/.bashrc ] && . ~/.bashrc
