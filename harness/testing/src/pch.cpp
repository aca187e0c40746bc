// Gives the precompiled-header target a source to compile.
