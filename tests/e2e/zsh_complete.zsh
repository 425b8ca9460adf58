# zsh -f zsh_complete.zsh FPATH_DIR 'COMMAND LINE': prints each word zsh's completion system offers
# at the end of the line, one per line. Runs a real interactive zsh in a pseudo-terminal (zpty),
# with the completion functions of FPATH_DIR first in fpath, and catches what is handed to compadd.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a __hits; builtin compadd -A __hits "$@"; local h; for h in $__hits; do print -r -- $'"'"'\x01'"'"'"$h"$'"'"'\x02'"'"'; done }'
zpty -w z 'finish() { print -r -- $'"'"'\x01\x03\x02'"'"'; exit }; comppostfuncs=(finish)'
zpty -w z "$2"$'\t'
local line
while zpty -r z line; do
  [[ $line == *$'\x01\x03\x02'* ]] && break
  [[ $line == *$'\x01'*$'\x02'* ]] && { line=${line##*$'\x01'}; print -r -- ${line%%$'\x02'*}; }
done
zpty -d z
