import sys,re,os
for root,_,files in os.walk('.'):
    for f in files:
        if not f.endswith('.ts'): continue
        p=os.path.join(root,f); s=open(p).read()
        if 'async run(ctx) {' not in s: continue
        s=s.replace('async run(ctx) {','async run(ctx: CheckContext) {')
        if 'CheckContext' not in s.split('defineCheck(')[0] or "import type { CheckContext }" not in s:
            if "from '../../context.ts'" in s:
                s=re.sub(r"import type \{ ([^}]*) \} from '../../context.ts';", lambda m: "import type { CheckContext, "+m.group(1)+" } from '../../context.ts';" if 'CheckContext' not in m.group(1) else m.group(0), s)
            else:
                s="import type { CheckContext } from '../../context.ts';\n"+s
        open(p,'w').write(s)
