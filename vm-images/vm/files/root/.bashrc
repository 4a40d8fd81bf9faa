# ~/.bashrc for the lab VM's console shell.
[ -z "$PS1" ] && return
HISTSIZE=5000
HISTFILESIZE=10000
shopt -s histappend checkwinsize
PS1='\[\e[1;35m\]vm\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]# '
alias ll='ls -alF'
[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
if [ -z "${KDLABS_BANNER_SHOWN:-}" ]; then
  export KDLABS_BANNER_SHOWN=1
  if [ -r /opt/lab/motd ]; then cat /opt/lab/motd; fi
fi
