#include "actors/transcoder/source_formats.h"

#include <cstring>
#include <sstream>

extern "C" {
#include <libavutil/avstring.h>
}

namespace hlsfs {

namespace {

// FFmpeg 5.1's demuxers, less those in kRefused.
constexpr const char* kAllowed =
    "aa,aac,aax,ac3,ace,acm,act,adp,ads,adx,aea,afc,aiff,aix,alp,amr,amrnb,amrwb,anm,apc,ape,apm,"
    "apng,aptx,aptx_hd,aqtitle,argo_asf,argo_brp,argo_cvg,asf,asf_o,ass,ast,au,av1,avi,avr,avs,avs2,"
    "avs3,bethsoftvid,bfi,bink,binka,bit,bitpacked,bmv,bfstm,brstm,boa,c93,caf,cavsvideo,cdg,cdxl,"
    "cine,codec2,codec2raw,daud,dcstr,derf,dfa,dfpwm,dhav,dirac,dnxhd,dsf,dsicin,dss,dts,dtshd,dv,"
    "dvbsub,dvbtxt,dxa,ea,ea_cdata,eac3,epaf,filmstrip,fits,flac,flic,flv,live_flv,4xm,frm,fsb,fwse,"
    "g722,g723_1,g726,g726le,g729,gdv,genh,gif,gsm,gxf,h261,h263,h264,hca,hcom,hevc,hnm,ico,idcin,"
    "iff,ifv,ilbc,image2pipe,alias_pix,brender_pix,ingenient,ipmovie,ipu,ircam,iss,iv8,ivf,ivr,"
    "jacosub,jv,kux,kvag,lmlm4,loas,luodat,lrc,lvf,lxf,m4v,mca,mcc,matroska,webm,mgsts,microdvd,"
    "mjpeg,mjpeg_2000,mlp,mlv,mm,mmf,mods,moflex,mov,mp4,m4a,3gp,3g2,mj2,mp3,mpc,mpc8,mpeg,mpegts,"
    "mpegtsraw,mpegvideo,mpjpeg,mpl2,mpsub,msf,msnwctcp,msp,mtaf,mtv,musx,mv,mvi,mxf,mxg,nc,"
    "nistsphere,nsp,nsv,nut,nuv,obu,ogg,oma,paf,alaw,mulaw,vidc,f64be,f64le,f32be,f32le,s32be,s32le,"
    "s24be,s24le,s16be,s16le,s8,u32be,u32le,u24be,u24le,u16be,u16le,u8,pjs,pmp,pp_bnk,pva,pvf,qcp,"
    "r3d,rawvideo,realtext,redspark,rl2,rm,roq,rpl,rsd,rso,s337m,sami,sbc,scc,scd,sdr2,sds,sdx,"
    "film_cpk,ser,sga,shn,siff,simbiosis_imx,sln,smk,smjpeg,smush,sol,sox,spdif,srt,psxstr,stl,"
    "subviewer1,subviewer,sup,svag,svs,swf,tak,tedcaptions,thp,3dostr,tiertexseq,tmv,truehd,tta,txd,"
    "ty,v210,v210x,vag,vc1,vc1test,vividas,vivo,vmd,voc,vpk,vplayer,vqf,w64,wav,wc3movie,webvtt,"
    "wsaud,wsd,wsvqa,wtv,wve,wv,xa,xmv,xvag,xwma,yop,yuv4mpegpipe,bmp_pipe,cri_pipe,dds_pipe,"
    "dpx_pipe,exr_pipe,gem_pipe,gif_pipe,j2k_pipe,jpeg_pipe,jpegls_pipe,jpegxl_pipe,pam_pipe,"
    "pbm_pipe,pcx_pipe,pfm_pipe,pgmyuv_pipe,pgm_pipe,pgx_pipe,phm_pipe,photocd_pipe,pictor_pipe,"
    "png_pipe,ppm_pipe,psd_pipe,qdraw_pipe,qoi_pipe,sgi_pipe,svg_pipe,sunrast_pipe,tiff_pipe,"
    "vbn_pipe,webp_pipe,xbm_pipe,xpm_pipe,xwd_pipe";

constexpr const char* kRefused =
    "concat: it opens the files it lists\n"
    "hls: it opens the segments it lists\n"
    "dash: it opens the segments it lists\n"
    "imf: it opens the files its composition lists\n"
    "image2: it opens a numbered sequence of files\n"
    "vobsub: it opens the .sub file beside the .idx\n"
    "webm_dash_manifest: a manifest, not media\n"
    "rtp: a network stream\n"
    "rtsp: a network stream\n"
    "sdp: it opens network streams\n"
    "sap: a network stream\n"
    "data: not media\n"
    "ffmetadata: not media\n"
    "tty: it shows any text file as video\n"
    "bin: it shows any text file as video\n"
    "xbin: text art, not video\n"
    "adf: text art, not video\n"
    "idf: text art, not video\n"
    "sbg: a script that synthesizes sound, not media\n"
    "libgme: a third-party game-music player, not video-library material\n"
    "libopenmpt: a third-party tracker-music player, not video-library material\n";

}  // namespace

const char* source_demuxers() { return kAllowed; }

const char* refused_source_demuxers() { return kRefused; }

std::string source_format_refusal(const char* demuxer_name) {
  if (!demuxer_name) return "unknown format";
  if (av_match_list(demuxer_name, kAllowed, ',') > 0) return "";
  std::istringstream lines(kRefused);
  for (std::string line; std::getline(lines, line);) {
    std::string name = line.substr(0, line.find(':'));
    if (av_match_list(demuxer_name, name.c_str(), ',') > 0) return line.substr(name.size() + 2);
  }
  return "not on hlsfs's list of source formats";
}

}  // namespace hlsfs
